import { at, describe, named, ofKind, records, selects, stringMap, type Json, type K8sObject } from "./k8s-model.js";
import type { MeshContext } from "./mesh-context.js";
import { isMeshed, podPorts, resolvePort, type PodTemplateModel } from "./workloads.js";

/** A Server annotated with this admits nothing on purpose (a port no one may call). */
export const CLOSED_ANNOTATION = "recmesh.dev/admits-nothing";

const POLICY_GROUP = "policy.linkerd.io";
const PROXY_PROTOCOLS = new Set(["unknown", "HTTP/1", "HTTP/2", "gRPC", "opaque", "TLS"]);

interface ServerMatch {
  pod: PodTemplateModel;
  port: number;
}

/** The pods and concrete ports a Server selects. */
export function serverMatches(ctx: MeshContext, server: K8sObject): ServerMatch[] {
  const matches: ServerMatch[] = [];
  for (const pod of ctx.pods) {
    if (!selects(at(server.spec, "podSelector"), pod.labels)) continue;
    const port = resolvePort(at(server.spec, "port"), podPorts(pod, isMeshed(pod, ctx.namespace)));
    if (port) matches.push({ pod, port: port.containerPort });
  }
  return matches;
}

/** Every Server selects pods that have its port; no two Servers claim the same pod/port. */
export function checkServers(ctx: MeshContext): string[] {
  const problems: string[] = [];
  const claimed = new Map<string, string>();
  for (const server of ofKind(ctx.objects, "Server")) {
    const selected = ctx.pods.filter((p) => selects(at(server.spec, "podSelector"), p.labels));
    if (selected.length === 0) problems.push(`${describe(server)}: selects no pods of any Deployment or chart`);
    for (const pod of selected) {
      const port = resolvePort(at(server.spec, "port"), podPorts(pod, isMeshed(pod, ctx.namespace)));
      if (!port) {
        problems.push(`${describe(server)}: port ${String(at(server.spec, "port"))} is not a container port of ${pod.owner}`);
        continue;
      }
      const key = `${pod.owner}:${port.containerPort}`;
      const other = claimed.get(key);
      if (other) problems.push(`${describe(server)}: overlaps ${other} on ${key}`);
      claimed.set(key, describe(server));
    }
    const protocol = at(server.spec, "proxyProtocol");
    if (protocol !== undefined && !PROXY_PROTOCOLS.has(String(protocol))) problems.push(`${describe(server)}: proxyProtocol ${String(protocol)} is not one of ${[...PROXY_PROTOCOLS].join(", ")}`);
  }
  return problems;
}

function refExists(ctx: MeshContext, ref: Json): boolean {
  const kind = String(ref.kind);
  const name = String(ref.name);
  if (kind === "Namespace") return ctx.namespace?.metadata.name === name;
  if (kind === "ServiceAccount") return ref.namespace !== undefined || ctx.serviceAccounts.has(name);
  return named(ctx.objects, kind, name) !== undefined;
}

/** AuthorizationPolicies target existing Servers/routes and name existing authentications and ServiceAccounts. */
export function checkAuthorizations(ctx: MeshContext): string[] {
  const problems: string[] = [];
  for (const policy of ofKind(ctx.objects, "AuthorizationPolicy")) {
    const target = at(policy.spec, "targetRef");
    const kind = String(at(target, "kind"));
    if (!["Server", "HTTPRoute", "GRPCRoute", "Namespace"].includes(kind)) problems.push(`${describe(policy)}: cannot target a ${kind}`);
    else if (!refExists(ctx, target as Json)) problems.push(`${describe(policy)}: target ${kind}/${String(at(target, "name"))} does not exist`);
    if (kind === "Server" && at(target, "group") !== POLICY_GROUP) problems.push(`${describe(policy)}: a Server target needs group ${POLICY_GROUP}`);
    const refs = records(at(policy.spec, "requiredAuthenticationRefs"));
    if (refs.length === 0) problems.push(`${describe(policy)}: no requiredAuthenticationRefs (would authorize everyone)`);
    for (const ref of refs) {
      if (!refExists(ctx, ref)) problems.push(`${describe(policy)}: authentication ${String(ref.kind)}/${String(ref.name)} does not exist`);
    }
  }
  for (const authn of ofKind(ctx.objects, "MeshTLSAuthentication")) {
    for (const ref of records(at(authn.spec, "identityRefs"))) {
      if (ref.kind !== "ServiceAccount") problems.push(`${describe(authn)}: identityRef kind ${String(ref.kind)}; name ServiceAccounts`);
      else if (!refExists(ctx, ref)) problems.push(`${describe(authn)}: ServiceAccount ${String(ref.name)} does not exist (nor in the charts' values)`);
    }
  }
  for (const server of ofKind(ctx.objects, "Server")) {
    const authorized = ofKind(ctx.objects, "AuthorizationPolicy").some((p) => at(p.spec, "targetRef", "name") === server.metadata.name && at(p.spec, "targetRef", "kind") === "Server");
    const closedOnPurpose = stringMap(server.metadata.annotations)[CLOSED_ANNOTATION] === "true";
    if (!authorized && !closedOnPurpose) problems.push(`${describe(server)}: no AuthorizationPolicy targets it, so it admits nothing`);
    if (authorized && closedOnPurpose) problems.push(`${describe(server)}: marked ${CLOSED_ANNOTATION} but an AuthorizationPolicy targets it`);
  }
  return problems;
}

/** ServiceAccounts (local names or namespace/name) a Server admits over mTLS. */
export function admittedIdentities(ctx: MeshContext, server: K8sObject): Set<string> {
  const identities = new Set<string>();
  for (const policy of ofKind(ctx.objects, "AuthorizationPolicy")) {
    if (at(policy.spec, "targetRef", "kind") !== "Server" || at(policy.spec, "targetRef", "name") !== server.metadata.name) continue;
    for (const ref of records(at(policy.spec, "requiredAuthenticationRefs"))) {
      if (ref.kind === "ServiceAccount") identities.add(ref.namespace ? `${String(ref.namespace)}/${String(ref.name)}` : String(ref.name));
      if (ref.kind !== "MeshTLSAuthentication") continue;
      const authn = named(ctx.objects, "MeshTLSAuthentication", String(ref.name));
      for (const id of records(at(authn?.spec, "identityRefs"))) {
        identities.add(id.namespace ? `${String(id.namespace)}/${String(id.name)}` : String(id.name));
      }
    }
  }
  return identities;
}

/** Servers whose policies admit clients by network address (NetworkAuthentication), e.g. the kubelet. */
function networkAuthorized(ctx: MeshContext, server: K8sObject): boolean {
  return ofKind(ctx.objects, "AuthorizationPolicy").some(
    (p) =>
      at(p.spec, "targetRef", "name") === server.metadata.name &&
      records(at(p.spec, "requiredAuthenticationRefs")).some((r) => r.kind === "NetworkAuthentication"),
  );
}

/**
 * Under default-deny: every port of the services is covered by a Server (or nothing
 * reaches it), and native gRPC probes, which Linkerd does not authorize by itself,
 * only target ports whose Server admits the kubelet by network.
 */
export function checkDefaultDeny(ctx: MeshContext): string[] {
  if (!ctx.defaultDeny) return [];
  const problems: string[] = [];
  const servers = ofKind(ctx.objects, "Server");
  for (const pod of ctx.pods) {
    const meshed = isMeshed(pod, ctx.namespace);
    for (const port of podPorts(pod, meshed)) {
      const covering = servers.filter((s) => serverMatches(ctx, s).some((m) => m.pod === pod && m.port === port.containerPort));
      if (covering.length === 0) problems.push(`${pod.owner}: port ${port.name ?? port.containerPort} has no Server: default-deny blocks every caller`);
    }
    for (const container of pod.containers) {
      for (const probeKey of ["readinessProbe", "livenessProbe", "startupProbe"]) {
        const grpcPort = at(container.spec, probeKey, "grpc", "port");
        if (grpcPort === undefined) continue;
        const covering = servers.filter((s) => serverMatches(ctx, s).some((m) => m.pod === pod && m.port === grpcPort));
        if (!covering.some((s) => networkAuthorized(ctx, s))) {
          problems.push(`${pod.owner}: ${container.name} ${probeKey} is a native gRPC probe on ${String(grpcPort)}, which default-deny refuses to the kubelet`);
        }
      }
    }
  }
  return problems;
}

/** Which identities may call each service's gRPC port: exactly the expected ones, nothing else. */
export function checkCallMatrix(ctx: MeshContext, expected: Record<string, string[]>): string[] {
  if (!ctx.defaultDeny) return [];
  const problems: string[] = [];
  for (const [service, callers] of Object.entries(expected)) {
    const pods = ctx.pods.filter((p) => p.labels["app.kubernetes.io/name"] === service && !p.fromChart);
    const servers = ofKind(ctx.objects, "Server").filter((s) => serverMatches(ctx, s).some((m) => pods.includes(m.pod) && m.pod.containers.some((c) => c.ports.some((p) => p.name === "grpc" && p.containerPort === m.port))));
    if (servers.length === 0) {
      problems.push(`${service}: no Server on its gRPC port`);
      continue;
    }
    for (const server of servers) {
      const admitted = [...admittedIdentities(ctx, server)].sort();
      const want = [...callers].sort();
      if (admitted.join(",") !== want.join(",") || networkAuthorized(ctx, server)) {
        problems.push(`${describe(server)}: admits [${admitted.join(", ")}]${networkAuthorized(ctx, server) ? " and network clients" : ""}, expected exactly [${want.join(", ")}]`);
      }
    }
  }
  return problems;
}
