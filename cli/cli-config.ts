import { z } from "zod";
import { natsConfigShape } from "../services/kit/config/common-config.js";
import { loadConfig } from "../services/kit/config/load-config.js";
import { grpcTlsSettings, grpcTlsShape, type GrpcTlsSettings } from "../services/kit/config/tls-config.js";

/** The environment CLI commands share with the services (NATS and stream settings). */
export function loadCliConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(z.object(natsConfigShape), env);
  return { natsUrl: e.NATS_URL, streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS } };
}

/** TLS of the CLI's own gRPC calls to the services (health checks, the demo call): the services' RECMESH_TLS_* variables. */
export function loadCliGrpcTls(env: Record<string, string | undefined> = process.env): GrpcTlsSettings | undefined {
  return grpcTlsSettings(loadConfig(z.object(grpcTlsShape), env), { serving: false });
}
