import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { at, describe, named, records, type Json, type K8sObject } from "./k8s-model.js";
import type { MeshContext } from "./mesh-context.js";

const ROUTE_KINDS = new Set(["GRPCRoute", "HTTPRoute"]);
const GATEWAY_GROUP = "gateway.networking.k8s.io";

/**
 * The RPCs the mesh may retry: reads that change nothing, so a repeat is harmless.
 * Writes (Track, WriteFeatures, PutExperiment, ...) and streams are never retried.
 */
export const IDEMPOTENT_RPCS: Record<string, string[]> = {
  "recmesh.recommender.v1.RecommenderService": ["Recommend"],
  "recmesh.feature.v1.FeatureService": ["GetFeatures", "ListFeatureViews"],
  "recmesh.candidate.v1.CandidateService": ["Generate"],
  "recmesh.ranking.v1.RankingService": ["Rank", "ListModels"],
  "recmesh.experiment.v1.ExperimentService": ["Assign", "GetExperiment", "ListExperiments", "GetResults"],
};

const GRPC_RETRY_CODES = new Set(["cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"]);
const DURATION = /^\d+(ms|s|m|h)$/;
const MAX_RETRY_LIMIT = 3;

/** Fully qualified service → RPC names, read from the .proto files. */
export function protoMethods(protoDir: string): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".proto") ? [join(dir, e.name)] : [],
    );
  for (const file of walk(protoDir)) {
    const text = readFileSync(file, "utf8");
    const pkg = /^package\s+([\w.]+);/m.exec(text)?.[1] ?? "";
    for (const service of text.matchAll(/service\s+(\w+)\s*\{([\s\S]*?)\n\}/g)) {
      const methods = new Set([...(service[2] ?? "").matchAll(/rpc\s+(\w+)\s*\(/g)].map((m) => m[1] ?? ""));
      result.set(`${pkg}.${service[1] ?? ""}`, methods);
    }
  }
  return result;
}

export function isRoute(o: K8sObject): boolean {
  return ROUTE_KINDS.has(o.kind) && o.apiVersion.startsWith(`${GATEWAY_GROUP}/`);
}

/** Port numbers a Service exposes. */
function servicePorts(service: K8sObject): number[] {
  return records(at(service.spec, "ports")).map((p) => Number(p.port));
}

function checkServiceRef(ctx: MeshContext, route: K8sObject, ref: Json, role: string, groups: string[]): string[] {
  const where = `${describe(route)} ${role} ${String(ref.name)}`;
  const kind = ref.kind ?? "Service";
  if (kind !== "Service") return [`${where}: kind ${String(kind)}; the mesh routes only to Services (kind: Service)`];
  const group = String(ref.group ?? "");
  if (!groups.includes(group)) return [`${where}: group "${group}", expected ${groups.map((g) => `"${g}"`).join(" or ")}`];
  if (typeof ref.port !== "number") return [`${where}: no port (Linkerd needs the Service port written out)`];
  const service = named(ctx.objects, "Service", String(ref.name));
  if (!service) return [`${where}: no such Service`];
  if (!servicePorts(service).includes(ref.port)) return [`${where}: Service has no port ${ref.port}`];
  return [];
}

/** Parents are Services with group core and a port; backends exist and expose the port; weights make sense. */
export function checkRouteReferences(ctx: MeshContext): string[] {
  const problems: string[] = [];
  for (const route of ctx.objects.filter(isRoute)) {
    const parents = records(at(route.spec, "parentRefs"));
    if (parents.length === 0) problems.push(`${describe(route)}: no parentRefs (Linkerd needs a parent Service)`);
    for (const parent of parents) {
      if (parent.kind === undefined) problems.push(`${describe(route)}: parentRef ${String(parent.name)} has no kind (the default, Gateway, is ignored by Linkerd)`);
      else problems.push(...checkServiceRef(ctx, route, parent, "parent", ["core", ""]));
    }
    for (const [i, rule] of records(at(route.spec, "rules")).entries()) {
      const backends = records(rule.backendRefs);
      for (const backend of backends) problems.push(...checkServiceRef(ctx, route, backend, "backend", ["", "core"]));
      const weights = backends.map((b) => (typeof b.weight === "number" ? b.weight : 1));
      if (weights.some((w) => w < 0)) problems.push(`${describe(route)} rule ${i}: negative weight`);
      if (backends.length > 0 && weights.every((w) => w === 0)) problems.push(`${describe(route)} rule ${i}: all weights are zero`);
    }
  }
  return problems;
}

function routeAnnotations(route: K8sObject, prefix: string): [string, string][] {
  return Object.entries(route.metadata.annotations ?? {}).filter(([k]) => k.startsWith(prefix));
}

/** Retry annotations only on routes whose every rule matches idempotent RPCs that exist; values well-formed. */
export function checkRetries(ctx: MeshContext, methods: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const o of ctx.objects) {
    if (o.kind === "ServiceProfile") problems.push(`${describe(o)}: ServiceProfiles override route annotations; do not mix them`);
    if (o.kind === "Service" && routeAnnotations(o, "retry.linkerd.io/").length > 0) {
      problems.push(`${describe(o)}: retry annotations on a Service apply to every RPC, writes included`);
    }
  }
  for (const route of ctx.objects.filter(isRoute)) {
    const retries = routeAnnotations(route, "retry.linkerd.io/");
    for (const [key, value] of [...retries, ...routeAnnotations(route, "timeout.linkerd.io/")]) {
      if ((key.endsWith("/timeout") || key.startsWith("timeout.")) && !DURATION.test(value)) problems.push(`${describe(route)}: ${key} "${value}" needs a unit (e.g. 1s)`);
    }
    if (retries.length === 0) continue;
    const grpc = route.metadata.annotations?.["retry.linkerd.io/grpc"];
    if (route.kind === "GRPCRoute" && route.metadata.annotations?.["retry.linkerd.io/http"] !== undefined) problems.push(`${describe(route)}: retry.linkerd.io/http is not valid on a GRPCRoute`);
    if (grpc !== undefined && !grpc.split(",").every((c) => GRPC_RETRY_CODES.has(c))) problems.push(`${describe(route)}: retry.linkerd.io/grpc "${grpc}" is not a comma list (no spaces) of ${[...GRPC_RETRY_CODES].join(", ")}`);
    const limit = Number(route.metadata.annotations?.["retry.linkerd.io/limit"] ?? 1);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RETRY_LIMIT) problems.push(`${describe(route)}: retry.linkerd.io/limit must be 1..${MAX_RETRY_LIMIT} (annotation retries have no budget)`);
    if (route.kind !== "GRPCRoute") {
      problems.push(`${describe(route)}: retries are configured only on GRPCRoutes matching idempotent RPCs`);
      continue;
    }
    for (const [i, rule] of records(at(route.spec, "rules")).entries()) {
      const matches = records(rule.matches);
      if (matches.length === 0) problems.push(`${describe(route)} rule ${i}: retries on a rule that matches every RPC`);
      for (const m of matches) {
        const service = String(at(m, "method", "service") ?? "");
        const method = String(at(m, "method", "method") ?? "");
        if ((at(m, "method", "type") ?? "Exact") !== "Exact") problems.push(`${describe(route)} rule ${i}: retried RPCs must be matched exactly`);
        if (!methods.get(service)?.has(method)) problems.push(`${describe(route)} rule ${i}: ${service}/${method} is not an RPC in proto/`);
        if (!IDEMPOTENT_RPCS[service]?.includes(method)) problems.push(`${describe(route)} rule ${i}: ${service}/${method} is not an idempotent read; it must not be retried`);
      }
    }
  }
  return problems;
}

/** Routes sharing a parent split traffic the same way, so unary and streaming calls see one canary. */
export function checkCanaryConsistency(ctx: MeshContext): string[] {
  const splits = new Map<string, { route: string; split: string }[]>();
  for (const route of ctx.objects.filter(isRoute)) {
    for (const parent of records(at(route.spec, "parentRefs"))) {
      const key = `${String(parent.name)}:${String(parent.port)}`;
      for (const rule of records(at(route.spec, "rules"))) {
        const split = records(rule.backendRefs)
          .map((b) => `${String(b.name)}:${String(b.port)}=${String(b.weight ?? 1)}`)
          .sort()
          .join(",");
        splits.set(key, [...(splits.get(key) ?? []), { route: describe(route), split }]);
      }
    }
  }
  const problems: string[] = [];
  for (const [parent, entries] of splits) {
    const distinct = new Set(entries.map((e) => e.split));
    if (distinct.size > 1) problems.push(`routes of ${parent} split traffic differently: ${entries.map((e) => `${e.route} [${e.split}]`).join("; ")}`);
  }
  return problems;
}
