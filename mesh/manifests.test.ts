import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { capacityInputs, unbackedClaims } from "./checks/capacity-checks.js";
import { checkRankingBootstrap } from "./checks/bootstrap-model-checks.js";
import { chartDeclarations } from "./checks/chart-pods.js";
import { checkDockerfile, checkGpuDockerfile, copiedFolders, uncopiedImports } from "./checks/dockerfile-checks.js";
import { dashboardExpressions, defaultMetricNames, exportedMetricNames, unknownMetrics } from "./checks/dashboard-checks.js";
import { at, named, ofKind, records, type K8sObject } from "./checks/k8s-model.js";
import { meshContext, type MeshContext } from "./checks/mesh-context.js";
import { checkAuthorizations, checkCallMatrix, checkDefaultDeny, checkServers } from "./checks/policy-checks.js";
import { checkServicePorts } from "./checks/port-checks.js";
import { findKubectl, renderKustomization } from "./checks/render.js";
import { checkCanaryConsistency, checkRetries, checkRouteReferences, isRoute, protoMethods } from "./checks/route-checks.js";
import { SchemaRegistry } from "./checks/schema-registry.js";
import { checkOpaqueNatsPorts, checkStatefulCharts, redisMemoryProblems } from "./checks/stateful-checks.js";
import { checkApexService, checkAvailability, checkGpu, checkInjection, checkSecurity, checkServiceSelectors } from "./checks/workload-checks.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const meshDir = join(repoRoot, "mesh");
const statefulDir = join(meshDir, "stateful");
const kubectl = findKubectl();
const renderable = "info" in kubectl;

/** Who may call each service's gRPC port (issue 8's matrix), as ServiceAccounts. */
const EXPECTED_CALLERS: Record<string, string[]> = {
  recommender: ["recmesh-client"],
  experiment: ["recommender"],
  feature: ["recommender", "candidate", "ranking"],
  candidate: ["recommender"],
  ranking: ["recommender"],
};
const AUTOSCALED = ["recommender", "feature", "candidate", "ranking", "experiment"];
const TARGETS = ["base", ...readdirSync(join(meshDir, "overlays")).map((d) => `overlays/${d}`)];

const DOCKERFILES = Object.fromEntries(["Dockerfile", "Dockerfile.ranking-gpu"].map((f) => [f, readFileSync(join(repoRoot, f), "utf8")]));
const schemas = new SchemaRegistry(join(meshDir, "schemas"));
const methods = protoMethods(join(repoRoot, "proto"));
const rendered = new Map<string, K8sObject[]>();

function render(target: string): K8sObject[] {
  if (!("info" in kubectl)) throw new Error(kubectl.missing);
  const cached = rendered.get(target);
  if (cached) return cached;
  const objects = renderKustomization(kubectl.info, join(meshDir, target));
  rendered.set(target, objects);
  return objects;
}

function context(objects: K8sObject[]): MeshContext {
  return meshContext(objects, statefulDir);
}

/** Every static check over one rendered set, as a list of problems. */
async function allProblems(ctx: MeshContext): Promise<string[]> {
  return [
    ...ctx.objects.flatMap((o) => schemas.validate(o)),
    ...checkRouteReferences(ctx),
    ...checkRetries(ctx, methods),
    ...checkCanaryConsistency(ctx),
    ...checkServers(ctx),
    ...checkAuthorizations(ctx),
    ...checkDefaultDeny(ctx),
    ...checkCallMatrix(ctx, EXPECTED_CALLERS),
    ...(await checkServicePorts(ctx, repoRoot)),
    ...checkInjection(ctx),
    ...checkServiceSelectors(ctx),
    ...checkApexService(ctx, "ranking"),
    ...checkGpu(ctx),
    ...checkSecurity(ctx),
    ...checkAvailability(ctx, AUTOSCALED),
    ...checkStatefulCharts(ctx),
    ...checkOpaqueNatsPorts(ctx),
    ...checkRankingBootstrap(ctx, repoRoot, DOCKERFILES, readFileSync(join(repoRoot, ".dockerignore"), "utf8")),
  ];
}

describe("mesh: tools", () => {
  it("has a kubectl whose kustomize (v5+) renders the overlays", () => {
    if (!("info" in kubectl)) {
      const message = `MESH CHECKS DID NOT RUN: ${kubectl.missing}. Install kubectl >= 1.27 (it bundles kustomize v5) or point KUBECTL at one.`;
      process.stderr.write(`\n*** ${message} ***\n\n`);
      if (process.env.CI) throw new Error(message);
    }
  });
});

describe.runIf(renderable)("mesh: rendered manifests", () => {
  for (const target of TARGETS) {
    it(`${target} renders and passes every check`, async () => {
      const objects = render(target);
      expect(objects.length).toBeGreaterThan(0);
      expect(await allProblems(context(objects))).toEqual([]);
    });
  }

  it("every overlay denies inbound traffic by default and routes every service", () => {
    for (const target of TARGETS.filter((t) => t.startsWith("overlays/"))) {
      const ctx = context(render(target));
      expect(ctx.defaultDeny, target).toBe(true);
      const parents = new Set(ctx.objects.filter(isRoute).flatMap((r) => records(at(r.spec, "parentRefs")).map((p) => String(p.name))));
      expect([...parents].sort(), target).toEqual(Object.keys(EXPECTED_CALLERS).sort());
    }
  });

  it("the gpu overlay splits ranking between the CPU and GPU tracks with non-zero weights", () => {
    const objects = render("overlays/gpu");
    expect(named(objects, "Deployment", "ranking-gpu")).toBeDefined();
    const rankingRoutes = objects.filter((o) => isRoute(o) && o.metadata.name.startsWith("ranking-"));
    expect(rankingRoutes.length).toBe(2);
    for (const route of rankingRoutes) {
      const backends = records(at(route.spec, "rules", 0, "backendRefs"));
      expect(backends.map((b) => b.name)).toEqual(["ranking-cpu", "ranking-gpu"]);
      expect(backends.every((b) => Number(b.weight) > 0)).toBe(true);
    }
  });

  it("exactly the services whose configuration reads REDIS_URL get it and may reach Redis", () => {
    const readers = AUTOSCALED.filter((name) => readFileSync(join(repoRoot, "services", name, "config.ts"), "utf8").includes("redisConfigShape"));
    expect(readers.length).toBeGreaterThan(0);
    for (const target of TARGETS.filter((t) => t.startsWith("overlays/"))) {
      const objects = render(target);
      const withUrl = AUTOSCALED.filter((name) => {
        const container = records(at(named(objects, "Deployment", name)?.spec, "template", "spec", "containers"))[0];
        return records(at(container, "env")).some((e) => e.name === "REDIS_URL");
      });
      expect(withUrl.sort(), target).toEqual([...readers].sort());
      const clients = records(at(named(objects, "MeshTLSAuthentication", "redis-clients")?.spec, "identityRefs")).map((r) => String(r.name));
      expect(clients.sort(), target).toEqual([...readers].sort());
    }
  });

  it("exactly one process runs the feature aggregator (one per Redis), replaced with Recreate", () => {
    for (const target of TARGETS) {
      const aggregators = ofKind(render(target), "Deployment").filter((d) => {
        const container = records(at(d.spec, "template", "spec", "containers"))[0];
        const args = Array.isArray(container?.args) ? container.args.map(String) : [];
        const env = records(at(container, "env"));
        return args.includes("services/feature/main.ts") && env.find((e) => e.name === "RECMESH_FEATURE_AGGREGATOR")?.value !== "false";
      });
      expect(aggregators.map((d) => [d.metadata.name, at(d.spec, "replicas"), at(d.spec, "strategy", "type")]), target).toEqual([
        ["feature-aggregator", 1, "Recreate"],
      ]);
      expect(ofKind(render(target), "HorizontalPodAutoscaler").some((h) => at(h.spec, "scaleTargetRef", "name") === "feature-aggregator"), target).toBe(false);
    }
  });

  it("the cpu overlay has no GPU workload", () => {
    const objects = render("overlays/cpu");
    expect(JSON.stringify(objects)).not.toContain("nvidia.com/gpu");
  });
});

describe.runIf(renderable)("mesh: the checks catch broken manifests", () => {
  const broken = (mutate: (objects: K8sObject[]) => void): MeshContext => {
    const objects = structuredClone(render("overlays/gpu"));
    mutate(objects);
    return context(objects);
  };
  const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
    const o = named(objects, kind, name);
    if (!o) throw new Error(`${kind}/${name} not rendered`);
    return o;
  };
  const spec = (o: K8sObject) => o.spec as Record<string, unknown>;
  const list = (value: unknown): unknown[] => {
    if (!Array.isArray(value)) throw new Error("not a list");
    return value;
  };

  it("a backendRef to a missing Service", () => {
    const ctx = broken((objects) => {
      const backend = records(at(find(objects, "GRPCRoute", "ranking-reads").spec, "rules", 0, "backendRefs"))[1];
      if (backend) backend.name = "ranking-tpu";
    });
    expect(checkRouteReferences(ctx)).toContain("GRPCRoute/ranking-reads backend ranking-tpu: no such Service");
  });

  it("a parent without a port, all-zero weights, and routes that disagree on the split", () => {
    const ctx = broken((objects) => {
      delete records(at(find(objects, "GRPCRoute", "recommender-default").spec, "parentRefs"))[0]?.port;
      for (const b of records(at(find(objects, "GRPCRoute", "ranking-default").spec, "rules", 0, "backendRefs"))) b.weight = 0;
    });
    const problems = [...checkRouteReferences(ctx), ...checkCanaryConsistency(ctx)];
    expect(problems).toContain("GRPCRoute/recommender-default parent recommender: no port (Linkerd needs the Service port written out)");
    expect(problems).toContain("GRPCRoute/ranking-default rule 0: all weights are zero");
    expect(problems.some((p) => p.startsWith("routes of ranking:50054 split traffic differently"))).toBe(true);
  });

  it("retries on a write, and retry values in the wrong form", () => {
    const ctx = broken((objects) => {
      const route = find(objects, "GRPCRoute", "recommender-reads");
      const match = records(at(route.spec, "rules", 0, "matches"))[0];
      if (match) match.method = { type: "Exact", service: "recmesh.recommender.v1.RecommenderService", method: "Track" };
      route.metadata.annotations = { ...route.metadata.annotations, "retry.linkerd.io/grpc": "unavailable, internal", "retry.linkerd.io/timeout": "300" };
    });
    const problems = checkRetries(ctx, methods);
    expect(problems).toContain("GRPCRoute/recommender-reads rule 0: recmesh.recommender.v1.RecommenderService/Track is not an idempotent read; it must not be retried");
    expect(problems.some((p) => p.includes('retry.linkerd.io/grpc "unavailable, internal"'))).toBe(true);
    expect(problems.some((p) => p.includes('retry.linkerd.io/timeout "300" needs a unit'))).toBe(true);
  });

  it("a Server that selects nothing, a policy to a missing Server, an authentication naming a missing ServiceAccount", () => {
    const ctx = broken((objects) => {
      spec(find(objects, "Server", "feature-grpc")).podSelector = { matchLabels: { "app.kubernetes.io/name": "featurez" } };
      const policy = spec(find(objects, "AuthorizationPolicy", "ranking-grpc"));
      policy.targetRef = { group: "policy.linkerd.io", kind: "Server", name: "ranking-grcp" };
      list(spec(find(objects, "MeshTLSAuthentication", "feature-callers")).identityRefs).push({ kind: "ServiceAccount", name: "ghost" });
    });
    const problems = [...checkServers(ctx), ...checkAuthorizations(ctx)];
    expect(problems).toContain("Server/feature-grpc: selects no pods of any Deployment or chart");
    expect(problems).toContain("AuthorizationPolicy/ranking-grpc: target Server/ranking-grcp does not exist");
    expect(problems).toContain("MeshTLSAuthentication/feature-callers: ServiceAccount ghost does not exist (nor in the charts' values)");
  });

  it("a caller outside the matrix, and a native gRPC probe under default-deny", () => {
    const ctx = broken((objects) => {
      list(spec(find(objects, "MeshTLSAuthentication", "recommender")).identityRefs).push({ kind: "ServiceAccount", name: "feature" });
      const container = records(at(find(objects, "Deployment", "experiment").spec, "template", "spec", "containers"))[0];
      if (container) container.readinessProbe = { grpc: { port: 50055 } };
    });
    expect(checkCallMatrix(ctx, EXPECTED_CALLERS)).toContain("Server/ranking-grpc: admits [feature, recommender], expected exactly [recommender]");
    expect(checkDefaultDeny(ctx)).toContain(
      "Deployment/experiment: experiment readinessProbe is a native gRPC probe on 50055, which default-deny refuses to the kubelet",
    );
  });

  it("an apex Service that selects the canary, a GPU outside the inference container's limits, an unmeshed pod", () => {
    const ctx = broken((objects) => {
      spec(find(objects, "Service", "ranking")).selector = { "app.kubernetes.io/name": "ranking" };
      const podSpec = at(find(objects, "Deployment", "ranking-gpu").spec, "template", "spec");
      const containers = list(at(podSpec, "containers"));
      containers.push({ name: "sidecar", image: "busybox:1.36", resources: { limits: { "nvidia.com/gpu": 1 } } });
      const requests = at(containers[0], "resources", "requests") as Record<string, unknown>;
      requests["nvidia.com/gpu"] = 1;
      const template = at(find(objects, "Deployment", "candidate").spec, "template", "metadata") as { annotations: Record<string, string> };
      template.annotations["linkerd.io/inject"] = "disabled";
    });
    expect(checkApexService(ctx, "ranking")).toEqual(["Service/ranking: selector must pin recmesh.io/accelerator=cpu so it never selects canary pods"]);
    const gpu = checkGpu(ctx);
    expect(gpu).toContain("Deployment/ranking-gpu sidecar: nvidia.com/gpu outside the GPU ranking inference container");
    expect(gpu).toContain("Deployment/ranking-gpu ranking: nvidia.com/gpu belongs in limits only");
    expect(checkInjection(ctx)).toContain("Deployment/candidate: not meshed (linkerd.io/inject is not enabled on it or its namespace)");
  });

  it("ports that disagree with the services' configuration", async () => {
    const ctx = broken((objects) => {
      const config = ofKind(objects, "ConfigMap")[0];
      if (config?.data) {
        config.data.RECMESH_RANKING_PORT = "50060";
        config.data.RECMESH_BIND_HOST = "127.0.0.1";
        config.data.RECMESH_FEATURE_ADDR = "feature:50099";
      }
    });
    const problems = await checkServicePorts(ctx, repoRoot);
    expect(problems).toContain('Deployment/ranking ranking: container port "grpc" is not 50060');
    expect(problems).toContain("Deployment/ranking ranking: binds 127.0.0.1; set RECMESH_BIND_HOST=0.0.0.0 or nothing outside the pod reaches it");
    expect(problems).toContain("Deployment/ranking ranking: RECMESH_FEATURE_ADDR=feature:50099: Service feature has no port 50099");
  });

  it("NATS ports that are not opaque", () => {
    const ctx = broken(() => undefined);
    const nats = ctx.charts.pods.find((p) => p.owner.startsWith("chart nats"));
    if (nats) nats.annotations = {};
    const server = named(ctx.objects, "Server", "nats-cluster");
    if (server) spec(server).proxyProtocol = "unknown";
    const problems = checkOpaqueNatsPorts(ctx);
    expect(problems).toContain("chart nats (StatefulSet nats): port 4222 is not in config.linkerd.io/opaque-ports");
    expect(problems).toContain("Server/nats-cluster: NATS port without proxyProtocol: opaque");
  });

  it("unknown fields and unknown kinds fail schema validation", () => {
    const route = structuredClone(find(render("overlays/gpu"), "GRPCRoute", "ranking-reads"));
    (route.spec as Record<string, unknown>).retries = { attempts: 2 };
    expect(schemas.validate(route)).toContain('GRPCRoute/ranking-reads: /spec must NOT have additional properties "retries"');
    const profile: K8sObject = { apiVersion: "linkerd.io/v1alpha2", kind: "ServiceProfile", metadata: { name: "ranking.recmesh.svc.cluster.local" } };
    expect(schemas.validate(profile)).toEqual(["ServiceProfile/ranking.recmesh.svc.cluster.local: no schema for linkerd.io/v1alpha2 ServiceProfile (unknown kinds are errors)"]);
  });
});

describe("mesh: images", () => {
  it("the service image is multi-stage, pinned, non-root and carries the descriptor set", () => {
    expect(checkDockerfile("Dockerfile", readFileSync(join(repoRoot, "Dockerfile"), "utf8"))).toEqual([]);
  });

  it("the GPU ranking image installs onnxruntime-node's CUDA 12 provider on a CUDA runtime base", () => {
    expect(checkGpuDockerfile("Dockerfile.ranking-gpu", readFileSync(join(repoRoot, "Dockerfile.ranking-gpu"), "utf8"))).toEqual([]);
  });

  it("each image holds every folder its sources import", () => {
    for (const file of ["Dockerfile", "Dockerfile.ranking-gpu"]) {
      const folders = copiedFolders(readFileSync(join(repoRoot, file), "utf8"));
      expect(folders, file).toEqual(expect.arrayContaining(["gen", "services"]));
      expect(uncopiedImports(repoRoot, folders), file).toEqual([]);
    }
    expect(uncopiedImports(repoRoot, ["cli"]).some((p) => p.includes("but the image has no services/"))).toBe(true);
  });

  it("catches a single-stage root image with a floating tag", () => {
    const problems = checkDockerfile("bad", 'FROM node:latest\nCOPY . .\nRUN npm install\nHEALTHCHECK CMD true\nENTRYPOINT ["node"]\n');
    expect(problems).toEqual([
      "bad: not multi-stage",
      'bad: base image "node:latest" is not pinned to a tag',
      'bad: final stage does not run as a numeric non-root USER (got "")',
      "bad: HEALTHCHECK given; Kubernetes probes grpc.health.v1 and /livez instead",
      "bad: gen/ (recmesh.binpb for reflection) is not copied into the final stage",
      "bad: ENTRYPOINT does not run node --import tsx",
      "bad: dependencies not installed with npm ci --omit=dev",
    ]);
  });
});

describe("mesh: dashboard", () => {
  const dashboard: unknown = JSON.parse(readFileSync(join(meshDir, "dashboards", "recmesh.json"), "utf8"));
  const expressions = dashboardExpressions(dashboard);

  it("reads only metrics the services (or the NATS exporter) export", async () => {
    const exported = new Set([...exportedMetricNames(join(repoRoot, "services")), ...(await defaultMetricNames())]);
    expect(expressions.length).toBeGreaterThan(10);
    expect(unknownMetrics(expressions, exported)).toEqual([]);
    expect(unknownMetrics(["rate(recmesh_rpc_requests_total[5m])"], exported)).toEqual(["recmesh_rpc_requests_total"]);
  });

  it("covers RED, breakers, ranking provider and batches, and consumer lag", () => {
    const text = expressions.join("\n");
    for (const metric of [
      "recmesh_rpc_server_requests_total",
      "recmesh_rpc_server_duration_seconds_bucket",
      "recmesh_rpc_server_in_flight",
      "recmesh_breaker_state",
      "recmesh_dependency_calls_total",
      "recmesh_ranking_execution_provider",
      "recmesh_ranking_batch_rows_bucket",
      "recmesh_ranking_batch_calls_bucket",
      "recmesh_consumer_pending",
      "recmesh_events_consumed_total",
      "nats_consumer_num_pending",
    ]) {
      expect(text, metric).toContain(metric);
    }
  });
});

describe("mesh: capacity plan", () => {
  const plan = readFileSync(join(meshDir, "CAPACITY.md"), "utf8");
  const benchmarks = readFileSync(join(repoRoot, "BENCHMARKS.md"), "utf8");
  const inputs = capacityInputs(plan);

  it("has no input left to be filled and names the kind of every input", () => {
    expect(plan).not.toMatch(/to be filled/);
    expect(inputs.length).toBeGreaterThan(20);
    expect(inputs.filter((i) => !/^(target|config|measured|assumption)\b/.test(i.kind)).map((i) => i.symbol)).toEqual([]);
  });

  it("takes every measured input from BENCHMARKS.md, citing its section and command", () => {
    const measured = inputs.filter((i) => i.kind.startsWith("measured"));
    expect(measured.length).toBeGreaterThan(15);
    expect(measured.flatMap((i) => unbackedClaims(i, benchmarks))).toEqual([]);
  });

  it("detects a measured number that the cited BENCHMARKS.md sections do not hold", () => {
    const forged = { symbol: "x", kind: "measured", asMeasured: "123,457 items/s", source: "BENCHMARKS.md § Recommend; `npm run bench`" };
    expect(unbackedClaims(forged, benchmarks)).toEqual(["x: 123,457 is not in the BENCHMARKS.md sections it cites"]);
    expect(unbackedClaims({ ...forged, asMeasured: "", source: "BENCHMARKS.md § Nowhere" }, benchmarks)).toEqual(['x: no section "Nowhere" in BENCHMARKS.md']);
  });

  it("accepts a number only from the sections cited, not from elsewhere in the file", () => {
    const file = ["## A", "", "| x | 42 |", "", "### A, notes", "", "17 in a note", "", "## B", "", "99 here"].join("\n");
    const input = { symbol: "x", kind: "measured", asMeasured: "42 and 17", source: "BENCHMARKS.md § B; `cmd`" };
    expect(unbackedClaims(input, `${file}\n\`cmd\``)).toEqual(["x: 42 is not in the BENCHMARKS.md sections it cites", "x: 17 is not in the BENCHMARKS.md sections it cites"]);
    expect(unbackedClaims({ ...input, source: "BENCHMARKS.md § A; `cmd`" }, `${file}\n\`cmd\``)).toEqual([]);
    expect(unbackedClaims({ ...input, asMeasured: "99", source: "BENCHMARKS.md § A; `cmd`" }, `${file}\n\`cmd\``)).toEqual(["x: 99 is not in the BENCHMARKS.md sections it cites"]);
  });
});

describe("mesh: Redis memory", () => {
  it("refuses an unbounded maxmemory or one the pod limit cannot hold", () => {
    expect(redisMemoryProblems("0", "8Gi")).toEqual(["Redis: maxmemory 0 is unbounded; set it below the pod memory limit"]);
    expect(redisMemoryProblems("7gb", "8Gi")).toEqual(["Redis: maxmemory 7gb × 1.3 exceeds the pod memory limit 8Gi"]);
    expect(redisMemoryProblems("6gb", "8Gi")).toEqual([]);
  });
});

describe("mesh: stateful charts", () => {
  it("declares NATS and Redis pods, Services and ServiceAccounts from the pinned charts' values", () => {
    const charts = chartDeclarations(statefulDir);
    expect(charts.charts.map((c) => `${c.name}@${c.version}`)).toEqual(["nats@1.3.16", "redis-ha@4.39.0"]);
    expect(charts.services.map((s) => s.name)).toEqual(expect.arrayContaining(["nats", "redis-haproxy"]));
    expect(charts.serviceAccounts).toEqual(["nats", "redis", "redis-haproxy"]);
  });
});
