import { z } from "zod";
import { natsConfigShape, redisConfigShape, serverConfigShape, serverSettings } from "../kit/config/common-config.js";
import { flag, port, positiveInt } from "../kit/config/env-types.js";
import { loadConfig } from "../kit/config/load-config.js";
import { natsSettings } from "../kit/config/nats-config.js";
import { redisSettings } from "../kit/config/redis-config.js";
import { DEFAULT_PORTS } from "../kit/config/ports.js";

const schema = z.object({
  RECMESH_FEATURE_PORT: port(DEFAULT_PORTS.feature.grpc),
  RECMESH_FEATURE_ADMIN_PORT: port(DEFAULT_PORTS.feature.admin),
  ...serverConfigShape,
  ...natsConfigShape,
  ...redisConfigShape,
  /** Most entity ids in one GetFeatures call. */
  RECMESH_FEATURE_GET_MAX_ENTITIES: positiveInt(100),
  /** Most entity ids in one StreamFeatures lookup. */
  RECMESH_FEATURE_STREAM_MAX_ENTITIES: positiveInt(2000),
  /** Most entities in one WriteFeatures call (they travel in one event). */
  RECMESH_FEATURE_WRITE_MAX_ENTITIES: positiveInt(1000),
  /** StreamFeatures lookups read ahead and in flight per stream (answers stay in order). */
  RECMESH_FEATURE_STREAM_WINDOW: positiveInt(4),
  /** Run the aggregator (the projection of the event stream) in this process; one active aggregator per Redis. */
  RECMESH_FEATURE_AGGREGATOR: flag(true),
});

export type FeatureConfig = ReturnType<typeof loadFeatureConfig>;

export function loadFeatureConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(schema, env);
  return {
    server: serverSettings("feature", { grpcPort: e.RECMESH_FEATURE_PORT, adminPort: e.RECMESH_FEATURE_ADMIN_PORT }, e),
    nats: natsSettings(e),
    redis: redisSettings(e),
    streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS },
    limits: {
      getMaxEntities: e.RECMESH_FEATURE_GET_MAX_ENTITIES,
      streamMaxEntities: e.RECMESH_FEATURE_STREAM_MAX_ENTITIES,
      writeMaxEntities: e.RECMESH_FEATURE_WRITE_MAX_ENTITIES,
    },
    streamWindow: e.RECMESH_FEATURE_STREAM_WINDOW,
    runAggregator: e.RECMESH_FEATURE_AGGREGATOR,
  };
}
