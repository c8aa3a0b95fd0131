import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from "../../services/kit/config/ports.js";

export interface ServiceSpec {
  name: ServiceName;
  /** Composition root of the service. */
  entry: string;
  grpcPort: number;
  adminPort: number;
}

/** Start order: dependencies before their callers. */
const START_ORDER: ServiceName[] = ["experiment", "feature", "candidate", "ranking", "recommender"];

/** The services of this checkout that have a composition root, with their ports from the environment or defaults. */
export function availableServices(env: NodeJS.ProcessEnv = process.env): ServiceSpec[] {
  return START_ORDER.filter((name) => SERVICE_NAMES.includes(name))
    .map((name) => {
      const prefix = `RECMESH_${name.toUpperCase()}`;
      return {
        name,
        entry: fileURLToPath(new URL(`../../services/${name}/main.ts`, import.meta.url)),
        grpcPort: Number(env[`${prefix}_PORT`] || DEFAULT_PORTS[name].grpc),
        adminPort: Number(env[`${prefix}_ADMIN_PORT`] || DEFAULT_PORTS[name].admin),
      };
    })
    .filter((spec) => existsSync(spec.entry));
}

/** Environment that wires every service to the infrastructure and to each other. */
export function stackEnvironment(specs: ServiceSpec[], urls: { natsUrl: string; redisUrl: string }, dataDir: string): Record<string, string> {
  const env: Record<string, string> = {
    NATS_URL: urls.natsUrl,
    REDIS_URL: urls.redisUrl,
    RECMESH_CANDIDATE_SNAPSHOT_DIR: join(dataDir, "candidate"),
  };
  for (const s of specs) {
    const prefix = `RECMESH_${s.name.toUpperCase()}`;
    env[`${prefix}_PORT`] = String(s.grpcPort);
    env[`${prefix}_ADMIN_PORT`] = String(s.adminPort);
    env[`${prefix}_ADDR`] = `127.0.0.1:${s.grpcPort}`;
  }
  return env;
}
