import { z } from "zod";
import { breakerConfigShape, breakerSettings, natsConfigShape, serverConfigShape, serverSettings } from "../kit/config/common-config.js";
import { address, positiveInt, port } from "../kit/config/env-types.js";
import { loadConfig } from "../kit/config/load-config.js";
import { natsSettings } from "../kit/config/nats-config.js";
import { DEFAULT_PORTS } from "../kit/config/ports.js";

const peer = (name: keyof typeof DEFAULT_PORTS) => address(`127.0.0.1:${DEFAULT_PORTS[name].grpc}`);

const schema = z.object({
  RECMESH_RECOMMENDER_PORT: port(DEFAULT_PORTS.recommender.grpc),
  RECMESH_RECOMMENDER_ADMIN_PORT: port(DEFAULT_PORTS.recommender.admin),
  ...serverConfigShape,
  ...natsConfigShape,
  ...breakerConfigShape,
  RECMESH_EXPERIMENT_ADDR: peer("experiment"),
  RECMESH_FEATURE_ADDR: peer("feature"),
  RECMESH_CANDIDATE_ADDR: peer("candidate"),
  RECMESH_RANKING_ADDR: peer("ranking"),
  RECMESH_RECOMMENDER_SURFACES: z
    .string()
    .regex(/^[a-z0-9_-]+(,[a-z0-9_-]+)*$/, { message: "expected a comma-separated list of surface names" })
    .default("home,pdp,cart,search"),
  RECMESH_RECOMMENDER_MAX_COUNT: positiveInt(100),
  RECMESH_RECOMMENDER_MAX_PER_CATEGORY: positiveInt(3),
  RECMESH_RECOMMENDER_CANDIDATES: positiveInt(500),
  RECMESH_RECOMMENDER_MIN_CANDIDATES: positiveInt(100),
  RECMESH_RECOMMENDER_TARGET_LATENCY_MS: positiveInt(50),
  RECMESH_RECOMMENDER_MAX_CONCURRENCY: positiveInt(256),
  RECMESH_RECOMMENDER_MIN_BUDGET_MS: positiveInt(5),
  RECMESH_RECOMMENDER_ASSIGNMENT: z.enum(["local", "rpc"]).default("local"),
  RECMESH_RECOMMENDER_EXPERIMENT_TIMEOUT_MS: positiveInt(20),
  RECMESH_RECOMMENDER_FEATURES_TIMEOUT_MS: positiveInt(25),
  RECMESH_RECOMMENDER_CANDIDATES_TIMEOUT_MS: positiveInt(60),
  RECMESH_RECOMMENDER_RANKING_TIMEOUT_MS: positiveInt(100),
  RECMESH_RECOMMENDER_POPULAR_REFRESH_MS: positiveInt(30_000),
  RECMESH_RECOMMENDER_EXPOSURE_QUEUE: positiveInt(100_000),
  RECMESH_RECOMMENDER_SESSION_REFRESH_DELAY_MS: positiveInt(300),
  RECMESH_RECOMMENDER_TRACK_STREAM_CONCURRENCY: positiveInt(1024),
  RECMESH_RECOMMENDER_MAX_EVENT_AGE_DAYS: positiveInt(30),
});

export type RecommenderConfig = ReturnType<typeof loadRecommenderConfig>;

export function loadRecommenderConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(schema, env);
  return {
    server: serverSettings("recommender", { grpcPort: e.RECMESH_RECOMMENDER_PORT, adminPort: e.RECMESH_RECOMMENDER_ADMIN_PORT }, e),
    nats: natsSettings(e),
    streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS },
    breaker: breakerSettings(e),
    addresses: {
      experiment: e.RECMESH_EXPERIMENT_ADDR,
      feature: e.RECMESH_FEATURE_ADDR,
      candidate: e.RECMESH_CANDIDATE_ADDR,
      ranking: e.RECMESH_RANKING_ADDR,
    },
    surfaces: new Set(e.RECMESH_RECOMMENDER_SURFACES.split(",")),
    maxCount: e.RECMESH_RECOMMENDER_MAX_COUNT,
    maxPerCategory: e.RECMESH_RECOMMENDER_MAX_PER_CATEGORY,
    candidates: {
      max: e.RECMESH_RECOMMENDER_CANDIDATES,
      min: Math.min(e.RECMESH_RECOMMENDER_MIN_CANDIDATES, e.RECMESH_RECOMMENDER_CANDIDATES),
      targetMs: e.RECMESH_RECOMMENDER_TARGET_LATENCY_MS,
      smoothing: 0.05,
    },
    maxConcurrency: e.RECMESH_RECOMMENDER_MAX_CONCURRENCY,
    assignment: e.RECMESH_RECOMMENDER_ASSIGNMENT,
    minBudgetMs: e.RECMESH_RECOMMENDER_MIN_BUDGET_MS,
    timeouts: {
      experiment: e.RECMESH_RECOMMENDER_EXPERIMENT_TIMEOUT_MS,
      features: e.RECMESH_RECOMMENDER_FEATURES_TIMEOUT_MS,
      candidates: e.RECMESH_RECOMMENDER_CANDIDATES_TIMEOUT_MS,
      ranking: e.RECMESH_RECOMMENDER_RANKING_TIMEOUT_MS,
    },
    popularRefreshMs: e.RECMESH_RECOMMENDER_POPULAR_REFRESH_MS,
    exposureQueue: e.RECMESH_RECOMMENDER_EXPOSURE_QUEUE,
    sessionRefreshDelayMs: e.RECMESH_RECOMMENDER_SESSION_REFRESH_DELAY_MS,
    trackStreamConcurrency: e.RECMESH_RECOMMENDER_TRACK_STREAM_CONCURRENCY,
    maxEventAgeMs: e.RECMESH_RECOMMENDER_MAX_EVENT_AGE_DAYS * 86_400_000,
  };
}
