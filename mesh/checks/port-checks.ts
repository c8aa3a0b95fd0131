import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from "../../services/kit/config/ports.js";
import { at, describe, isRecord, named, ofKind, records, stringMap, type Json, type K8sObject } from "./k8s-model.js";
import type { MeshContext } from "./mesh-context.js";
import { containerPorts, resolvePort } from "./workloads.js";

export interface ServiceEndpoint {
  host: string;
  grpcPort: number;
  adminPort: number;
}

/** The environment a container starts with: its ConfigMaps (envFrom) then its own env. */
export function containerEnv(objects: K8sObject[], container: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of records(container.envFrom)) {
    const name = at(source, "configMapRef", "name");
    if (typeof name === "string") Object.assign(env, stringMap(named(objects, "ConfigMap", name)?.data));
  }
  for (const e of records(container.env)) if (typeof e.value === "string") env[String(e.name)] = e.value;
  return env;
}

/** The service a container runs, from its `services/<name>/main.ts` argument. */
export function serviceOf(container: Json): ServiceName | undefined {
  const args = Array.isArray(container.args) ? container.args.map(String) : [];
  const name = args.map((a) => /^services\/([a-z]+)\/main\.ts$/.exec(a)?.[1]).find(Boolean);
  return SERVICE_NAMES.find((s) => s === name);
}

/**
 * Where the service will listen with this environment: through its own config loader
 * (services/<name>/config.ts, so a bad variable fails here as it would at start-up),
 * or from DEFAULT_PORTS and the RECMESH_<NAME>_* variables while it has none.
 */
export async function configuredEndpoint(repoRoot: string, service: ServiceName, env: Record<string, string>): Promise<ServiceEndpoint> {
  const configFile = join(repoRoot, "services", service, "config.ts");
  if (existsSync(configFile)) {
    const module = (await import(pathToFileURL(configFile).href)) as Record<string, unknown>;
    const loaderName = `load${service[0]?.toUpperCase() ?? ""}${service.slice(1)}Config`;
    const loader = module[loaderName];
    if (typeof loader !== "function") throw new Error(`${configFile} exports no ${loaderName}`);
    const config: unknown = loader(env);
    const server = at(config, "server");
    return { host: String(at(server, "host")), grpcPort: Number(at(server, "grpcPort")), adminPort: Number(at(server, "adminPort")) };
  }
  const prefix = `RECMESH_${service.toUpperCase()}`;
  return {
    host: env.RECMESH_BIND_HOST ?? "127.0.0.1",
    grpcPort: Number(env[`${prefix}_PORT`] ?? DEFAULT_PORTS[service].grpc),
    adminPort: Number(env[`${prefix}_ADMIN_PORT`] ?? DEFAULT_PORTS[service].admin),
  };
}

function probeProblems(owner: string, container: Json, endpoint: ServiceEndpoint): string[] {
  const problems: string[] = [];
  const ports = containerPorts(container);
  const readiness = at(container, "readinessProbe");
  if (!isRecord(readiness)) problems.push(`${owner}: no readinessProbe`);
  else if (isRecord(readiness.grpc)) {
    if (readiness.grpc.port !== endpoint.grpcPort) problems.push(`${owner}: gRPC readiness probe on ${String(readiness.grpc.port)}, service listens on ${endpoint.grpcPort}`);
  } else if (isRecord(readiness.httpGet)) {
    if (resolvePort(readiness.httpGet.port, ports)?.containerPort !== endpoint.adminPort || readiness.httpGet.path !== "/healthz") {
      problems.push(`${owner}: HTTP readiness probe must be GET /healthz on the admin port ${endpoint.adminPort}`);
    }
  } else problems.push(`${owner}: readinessProbe is neither grpc nor httpGet`);
  const liveness = at(container, "livenessProbe", "httpGet");
  if (!isRecord(liveness) || liveness.path !== "/livez" || resolvePort(liveness.port, ports)?.containerPort !== endpoint.adminPort) {
    problems.push(`${owner}: livenessProbe must be GET /livez on the admin port ${endpoint.adminPort}`);
  }
  return problems;
}

/** host:port of a rendered Service or a chart's Service. */
function addressProblem(ctx: MeshContext, variable: string, host: string, port: number): string | undefined {
  const rendered = named(ctx.objects, "Service", host);
  if (rendered) {
    const ports = records(at(rendered.spec, "ports")).map((p) => Number(p.port));
    return ports.includes(port) ? undefined : `${variable}=${host}:${port}: Service ${host} has no port ${port}`;
  }
  const declared = ctx.charts.services.find((s) => s.name === host);
  if (!declared) return `${variable}=${host}:${port}: no Service ${host} in the manifests or the charts`;
  return declared.ports.includes(port) ? undefined : `${variable}=${host}:${port}: the chart's Service ${host} has no port ${port}`;
}

function urlHostPort(value: string): [string, number] | undefined {
  try {
    const url = new URL(value);
    return [url.hostname, Number(url.port)];
  } catch {
    return undefined;
  }
}

/**
 * Container ports, probes, Services and the addresses in the environment agree with
 * the ports each service is configured to listen on, and it listens on all interfaces.
 */
export async function checkServicePorts(ctx: MeshContext, repoRoot: string): Promise<string[]> {
  const problems: string[] = [];
  for (const deployment of ofKind(ctx.objects, "Deployment")) {
    for (const container of records(at(deployment.spec, "template", "spec", "containers"))) {
      const service = serviceOf(container);
      if (!service) continue;
      const owner = `${describe(deployment)} ${String(container.name)}`;
      for (const source of records(container.envFrom)) {
        const name = at(source, "configMapRef", "name");
        if (typeof name === "string" && !named(ctx.objects, "ConfigMap", name)) problems.push(`${owner}: envFrom ConfigMap ${name} is not in the manifests`);
      }
      const env = containerEnv(ctx.objects, container);
      const endpoint = await configuredEndpoint(repoRoot, service, env);
      if (endpoint.host !== "0.0.0.0") problems.push(`${owner}: binds ${endpoint.host}; set RECMESH_BIND_HOST=0.0.0.0 or nothing outside the pod reaches it`);
      const ports = containerPorts(container);
      if (resolvePort("grpc", ports)?.containerPort !== endpoint.grpcPort) problems.push(`${owner}: container port "grpc" is not ${endpoint.grpcPort}`);
      if (resolvePort("admin", ports)?.containerPort !== endpoint.adminPort) problems.push(`${owner}: container port "admin" is not ${endpoint.adminPort}`);
      problems.push(...probeProblems(owner, container, endpoint));
      const scrapePort = at(deployment.spec, "template", "metadata", "annotations", "prometheus.io/port");
      if (scrapePort !== String(endpoint.adminPort)) problems.push(`${owner}: prometheus.io/port ${String(scrapePort)} is not the admin port ${endpoint.adminPort}`);
      for (const [variable, value] of Object.entries(env)) {
        if (/^RECMESH_[A-Z]+_ADDR$/.test(variable)) {
          const [host = "", port = ""] = value.split(":");
          const problem = addressProblem(ctx, variable, host, Number(port));
          if (problem) problems.push(`${owner}: ${problem}`);
        }
        if (variable === "NATS_URL" || variable === "REDIS_URL") {
          const hostPort = urlHostPort(value);
          const problem = hostPort ? addressProblem(ctx, variable, hostPort[0], hostPort[1]) : `${variable}=${value}: not a URL`;
          if (problem) problems.push(`${owner}: ${problem}`);
        }
      }
    }
  }
  for (const service of SERVICE_NAMES) {
    const svc = named(ctx.objects, "Service", service);
    if (!svc) problems.push(`Service/${service} is missing`);
  }
  return problems;
}
