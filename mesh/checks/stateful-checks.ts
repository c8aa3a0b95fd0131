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
    problems.push(...redisMemoryProblems(at(redis, "redis", "config", "maxmemory"), at(redis, "redis", "resources", "limits", "memory")));
  }
  return problems;
}

/** RSS over used_memory that mesh/CAPACITY.md plans for (fragmentation, copy-on-write while an RDB fork runs). */
const REDIS_RSS_FACTOR = 1.3;
const BYTES: Record<string, number> = { "": 1, kb: 1e3, mb: 1e6, gb: 1e9, k: 1e3, m: 1e6, g: 1e9, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30 };

function bytesOf(value: unknown): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(value ?? ""));
  const unit = BYTES[(m?.[2] ?? "").toLowerCase()];
  return m && unit !== undefined ? Number(m[1]) * unit : Number.NaN;
}

/**
 * With noeviction, a Redis without maxmemory grows until the kernel kills it;
 * with one, writes fail cleanly and the services degrade. The limit must leave
 * the pod's memory limit room for fragmentation and the snapshot fork.
 */
export function redisMemoryProblems(maxmemory: unknown, memoryLimit: unknown): string[] {
  const max = bytesOf(maxmemory);
  const limit = bytesOf(memoryLimit);
  if (!(max > 0)) return [`Redis: maxmemory ${String(maxmemory)} is unbounded; set it below the pod memory limit`];
  if (!(limit > 0)) return ["Redis: the pod has no memory limit"];
  if (max * REDIS_RSS_FACTOR > limit) return [`Redis: maxmemory ${String(maxmemory)} × ${REDIS_RSS_FACTOR} exceeds the pod memory limit ${String(memoryLimit)}`];
  return [];
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
