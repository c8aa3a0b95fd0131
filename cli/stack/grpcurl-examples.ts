import type { GrpcTlsSettings } from "../../services/kit/config/tls-config.js";
import type { ServiceSpec } from "./service-specs.js";

/** grpcurl's transport flags: -plaintext, or the CA, certificate and key the services use. */
function transportFlags(tls: GrpcTlsSettings | undefined): string {
  if (!tls) return "-plaintext";
  const flags = [tls.ca && `-cacert ${tls.ca.path}`, tls.cert && `-cert ${tls.cert.path}`, tls.key && `-key ${tls.key.path}`];
  return [...flags, tls.serverName && `-servername ${tls.serverName}`].filter(Boolean).join(" ");
}

/**
 * Ready-to-paste grpcurl commands for the running services. Reflection serves the
 * real descriptors, so no proto files are needed.
 */
export function grpcurlExamples(specs: ServiceSpec[], sampleUser: string, sampleItem: string, tls?: GrpcTlsSettings): string[] {
  const t = transportFlags(tls);
  const lines = specs.map((s) => `grpcurl ${t} 127.0.0.1:${s.grpcPort} list`);
  const front = specs.find((s) => s.name === "recommender");
  if (!front) return lines;
  const at = `127.0.0.1:${front.grpcPort}`;
  const service = "recmesh.recommender.v1.RecommenderService";
  return [
    ...lines,
    `grpcurl ${t} ${at} describe ${service}`,
    `grpcurl ${t} -d '{"user_id":"${sampleUser}","count":10,"surface":"home"}' ${at} ${service}/Recommend`,
    `grpcurl ${t} -d '{"user_id":"${sampleUser}","count":5,"surface":"home","explain":true}' ${at} ${service}/Recommend`,
    `grpcurl ${t} -d '{"interaction":{"user_id":"${sampleUser}","item_id":"${sampleItem}","type":"INTERACTION_TYPE_CLICK"}}' ${at} ${service}/Track`,
    `grpcurl ${t} -d @ ${at} ${service}/Session <<'EOF'\n` +
      `  {"start":{"user_id":"${sampleUser}","count":5,"surface":"home"}}\n` +
      `  {"interaction":{"item_id":"${sampleItem}","type":"INTERACTION_TYPE_CLICK"}}\n` +
      `  {"refresh":{}}\n  EOF`,
  ];
}
