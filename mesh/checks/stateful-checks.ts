import { at, ofKind, stringMap } from "./k8s-model.js";
import type { MeshContext } from "./mesh-context.js";
import { serverMatches } from "./policy-checks.js";

const EXACT_VERSION = /^\d+\.\d+\.\d+$/;
/** Ports of server-speaks-first protocols: Linkerd must not wait to detect them. */
export const NATS_PORTS = [4222, 6222];
const OPAQUE = "config.linkerd.io/opaque-ports";

function opaquePorts(annotations: Record<string, string>): number[] {
  return (annotations[OPAQUE] ?? "").split(",").filter(Boolean).map(Number);
}

/** Charts pinned to exact versions; NATS a 3-node JetStream cluster on volumes; Redis replicated with failover, on volumes. */
export function checkStatefulCharts(ctx: MeshContext): string[] {
  const problems: string[] = [];
  for (const chart of ctx.charts.charts) {
    if (!EXACT_VERSION.test(chart.version)) problems.push(`chart ${chart.name}: version "${chart.version}" is not pinned`);
    if (!chart.repo.startsWith("https://")) problems.push(`chart ${chart.name}: repo ${chart.repo} is not https`);
  }
  const nats = ctx.charts.charts.find((c) => c.name === "nats")?.values;
  const redis = ctx.charts.charts.find((c) => c.name === "redis-ha")?.values;
  if (!nats) problems.push("no NATS chart in mesh/stateful");
  else {
    if (at(nats, "config", "cluster", "enabled") !== true || Number(at(nats, "config", "cluster", "replicas")) < 3) problems.push("NATS: not a cluster of at least 3 servers");
    if (at(nats, "config", "jetstream", "enabled") !== true) problems.push("NATS: JetStream is off");
    if (at(nats, "config", "jetstream", "fileStore", "pvc", "enabled") !== true || typeof at(nats, "config", "jetstream", "fileStore", "pvc", "size") !== "string") {
      problems.push("NATS: JetStream file store has no persistent volume");
    }
    const replicas = Number(at(nats, "config", "cluster", "replicas"));
    for (const config of ofKind(ctx.objects, "ConfigMap")) {
      const streamReplicas = stringMap(config.data).RECMESH_STREAM_REPLICAS;
      if (streamReplicas !== undefined && (Number(streamReplicas) !== 3 || Number(streamReplicas) > replicas)) {
        problems.push(`ConfigMap/${config.metadata.name}: RECMESH_STREAM_REPLICAS=${streamReplicas}; streams must be R3 on the ${replicas}-node cluster`);
      }
    }
  }
  if (!redis) problems.push("no Redis chart in mesh/stateful");
  else {
    if (at(redis, "persistentVolume", "enabled") !== true) problems.push("Redis: no persistent volumes");
    if (Number(at(redis, "replicas")) < 3) problems.push("Redis: fewer than 3 nodes (Sentinel needs a quorum)");
    if (at(redis, "haproxy", "enabled") !== true) problems.push("Redis: HAProxy is off, but the services' client follows one URL, not Sentinel");
  }
  return problems;
}

/** Every pod and Service carrying NATS ports marks them opaque, and their Servers say so too. */
export function checkOpaqueNatsPorts(ctx: MeshContext): string[] {
  const problems: string[] = [];
  for (const pod of ctx.pods) {
    const ports = pod.containers.flatMap((c) => c.ports.map((p) => p.containerPort)).filter((p) => NATS_PORTS.includes(p));
    const opaque = opaquePorts(pod.annotations);
    for (const port of ports) {
      if (!opaque.includes(port)) problems.push(`${pod.owner}: port ${port} is not in ${OPAQUE}`);
    }
  }
  for (const service of ctx.charts.services) {
    const opaque = opaquePorts(service.annotations);
    for (const port of service.ports.filter((p) => NATS_PORTS.includes(p))) {
      if (!opaque.includes(port)) problems.push(`chart Service ${service.name}: port ${port} is not in ${OPAQUE}`);
    }
  }
  for (const server of ofKind(ctx.objects, "Server")) {
    const natsPort = serverMatches(ctx, server).some((m) => NATS_PORTS.includes(m.port));
    if (natsPort && at(server.spec, "proxyProtocol") !== "opaque") problems.push(`Server/${server.metadata.name}: NATS port without proxyProtocol: opaque`);
  }
  return problems;
}
