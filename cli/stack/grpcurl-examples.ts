import type { ServiceSpec } from "./service-specs.js";

/**
 * Ready-to-paste grpcurl commands for the running services. Reflection serves the
 * real descriptors, so no proto files are needed.
 */
export function grpcurlExamples(specs: ServiceSpec[], sampleUser: string, sampleItem: string): string[] {
  const lines = specs.map((s) => `grpcurl -plaintext 127.0.0.1:${s.grpcPort} list`);
  const front = specs.find((s) => s.name === "recommender");
  if (!front) return lines;
  const at = `127.0.0.1:${front.grpcPort}`;
  const service = "recmesh.recommender.v1.RecommenderService";
  return [
    ...lines,
    `grpcurl -plaintext ${at} describe ${service}`,
    `grpcurl -plaintext -d '{"user_id":"${sampleUser}","count":10,"surface":"home"}' ${at} ${service}/Recommend`,
    `grpcurl -plaintext -d '{"user_id":"${sampleUser}","count":5,"surface":"home","explain":true}' ${at} ${service}/Recommend`,
    `grpcurl -plaintext -d '{"interaction":{"user_id":"${sampleUser}","item_id":"${sampleItem}","type":"INTERACTION_TYPE_CLICK"}}' ${at} ${service}/Track`,
    `grpcurl -plaintext -d @ ${at} ${service}/Session <<'EOF'\n` +
      `  {"start":{"user_id":"${sampleUser}","count":5,"surface":"home"}}\n` +
      `  {"interaction":{"item_id":"${sampleItem}","type":"INTERACTION_TYPE_CLICK"}}\n` +
      `  {"refresh":{}}\n  EOF`,
  ];
}
