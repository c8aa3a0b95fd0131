import { z } from "zod";
import { natsConfigShape, redisConfigShape, serverConfigShape, serverSettings } from "../kit/config/common-config.js";
import { flag, port, positiveInt } from "../kit/config/env-types.js";
import { loadConfig } from "../kit/config/load-config.js";
import { natsSettings } from "../kit/config/nats-config.js";
import { redisSettings } from "../kit/config/redis-config.js";
import { DEFAULT_PORTS } from "../kit/config/ports.js";

const schema = z.object({
  RECMESH_EXPERIMENT_PORT: port(DEFAULT_PORTS.experiment.grpc),
  RECMESH_EXPERIMENT_ADMIN_PORT: port(DEFAULT_PORTS.experiment.admin),
  ...serverConfigShape,
  ...natsConfigShape,
  ...redisConfigShape,
  /** Run the exposure analyzer (a durable JetStream consumer; replicas share it) in this process. */
  RECMESH_EXPERIMENT_ANALYZER: flag(true),
  /** How often the KV bucket is asked for its latest revision (staleness check). */
  RECMESH_EXPERIMENT_KV_CHECK_MS: positiveInt(1_000),
  /** Assign reports stale=true once the KV bucket has not answered, or the watch lagged, for this long. */
  RECMESH_EXPERIMENT_STALE_AFTER_MS: positiveInt(3_000),
  /** How long start-up waits for the bucket's current definitions. */
  RECMESH_EXPERIMENT_LOAD_TIMEOUT_MS: positiveInt(10_000),
  /** Changes a WatchExperiments subscriber may fall behind before its stream ends with RESOURCE_EXHAUSTED. */
  RECMESH_EXPERIMENT_WATCH_QUEUE_LIMIT: positiveInt(10_000),
});

export type ExperimentConfig = ReturnType<typeof loadExperimentConfig>;

export function loadExperimentConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(schema, env);
  return {
    server: serverSettings("experiment", { grpcPort: e.RECMESH_EXPERIMENT_PORT, adminPort: e.RECMESH_EXPERIMENT_ADMIN_PORT }, e),
    nats: natsSettings(e),
    redis: redisSettings(e),
    streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS },
    runAnalyzer: e.RECMESH_EXPERIMENT_ANALYZER,
    freshness: { checkIntervalMs: e.RECMESH_EXPERIMENT_KV_CHECK_MS, staleAfterMs: e.RECMESH_EXPERIMENT_STALE_AFTER_MS },
    loadTimeoutMs: e.RECMESH_EXPERIMENT_LOAD_TIMEOUT_MS,
    watchQueueLimit: e.RECMESH_EXPERIMENT_WATCH_QUEUE_LIMIT,
  };
}
