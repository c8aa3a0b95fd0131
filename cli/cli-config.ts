import { z } from "zod";
import { natsConfigShape } from "../services/kit/config/common-config.js";
import { port, url } from "../services/kit/config/env-types.js";
import { loadConfig } from "../services/kit/config/load-config.js";
import { natsSettings, type NatsSettings } from "../services/kit/config/nats-config.js";
import { grpcTlsSettings, grpcTlsShape, type GrpcTlsSettings } from "../services/kit/config/tls-config.js";

/**
 * The environment CLI commands share with the services: NATS (URL, credentials
 * and TLS, checked as the services check them) and stream settings. `natsUrl`
 * replaces NATS_URL, e.g. by the server `recmesh stack` started itself.
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env, natsUrl?: string) {
  const e = loadConfig(z.object(natsConfigShape), natsUrl ? { ...env, NATS_URL: natsUrl } : env);
  const nats: NatsSettings = natsSettings(e);
  return { nats, streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS } };
}

/** TLS of the CLI's own gRPC calls to the services (health checks, the demo call): the services' RECMESH_TLS_* variables. */
export function loadCliGrpcTls(env: Record<string, string | undefined> = process.env): GrpcTlsSettings | undefined {
  return grpcTlsSettings(loadConfig(z.object(grpcTlsShape), env), { serving: false });
}

/** Where `recmesh stack` finds or starts NATS and Redis: external servers when NATS_URL/REDIS_URL are set, else its own on these ports. */
export function loadStackInfraConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(
    z.object({
      NATS_URL: url(["nats", "tls"]).optional(),
      REDIS_URL: url(["redis", "rediss"]).optional(),
      RECMESH_STACK_NATS_PORT: port(4222),
      RECMESH_STACK_REDIS_PORT: port(6379),
    }),
    env,
  );
  return { natsUrl: e.NATS_URL, redisUrl: e.REDIS_URL, natsPort: e.RECMESH_STACK_NATS_PORT, redisPort: e.RECMESH_STACK_REDIS_PORT };
}
