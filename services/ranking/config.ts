import { fileURLToPath } from "node:url";
import { z } from "zod";
import { breakerConfigShape, breakerSettings, natsConfigShape, serverConfigShape, serverSettings } from "../kit/config/common-config.js";
import { address, flag, nonNegative, port, positiveInt } from "../kit/config/env-types.js";
import { loadConfig } from "../kit/config/load-config.js";
import { natsSettings } from "../kit/config/nats-config.js";
import { DEFAULT_PORTS } from "../kit/config/ports.js";

/** The checked-in demo model, published at start when the registry has no model of its name. */
const DEMO_MODEL_DIR = fileURLToPath(new URL("../../models/ctr-mlp", import.meta.url));

const schema = z.object({
  RECMESH_RANKING_PORT: port(DEFAULT_PORTS.ranking.grpc),
  RECMESH_RANKING_ADMIN_PORT: port(DEFAULT_PORTS.ranking.admin),
  ...serverConfigShape,
  ...natsConfigShape,
  ...breakerConfigShape,
  RECMESH_FEATURE_ADDR: address(`127.0.0.1:${DEFAULT_PORTS.feature.grpc}`),
  RECMESH_RANKING_PROVIDER: z.enum(["auto", "cuda", "webgpu", "cpu"]).default("auto"),
  RECMESH_RANKING_INTRA_OP_THREADS: positiveInt(1),
  RECMESH_RANKING_ALLOW_SPINNING: flag(false),
  RECMESH_RANKING_MAX_BATCH_ROWS: z.coerce.number().int().nonnegative().default(4096),
  RECMESH_RANKING_BATCH_WAIT_US: nonNegative(0),
  RECMESH_RANKING_MAX_CANDIDATES: positiveInt(1000),
  RECMESH_RANKING_HYDRATION_TIMEOUT_MS: positiveInt(100),
  RECMESH_RANKING_ITEM_CACHE_MS: z.coerce.number().int().nonnegative().default(1000),
  RECMESH_RANKING_ITEM_CACHE_ROWS: positiveInt(100_000),
  RECMESH_RANKING_WARMUP_RUNS: z.coerce.number().int().nonnegative().default(3),
  RECMESH_RANKING_BOOTSTRAP_MODEL_DIR: z.string().default(DEMO_MODEL_DIR),
  RECMESH_RANKING_BOOTSTRAP: flag(true),
  RECMESH_RANKING_DEFAULT_MODEL: z.string().default(""),
});

export type RankingConfig = ReturnType<typeof loadRankingConfig>;

export function loadRankingConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(schema, env);
  return {
    server: serverSettings("ranking", { grpcPort: e.RECMESH_RANKING_PORT, adminPort: e.RECMESH_RANKING_ADMIN_PORT }, e),
    nats: natsSettings(e),
    streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS },
    featureAddress: e.RECMESH_FEATURE_ADDR,
    breaker: breakerSettings(e),
    session: {
      provider: e.RECMESH_RANKING_PROVIDER,
      intraOpThreads: e.RECMESH_RANKING_INTRA_OP_THREADS,
      allowSpinning: e.RECMESH_RANKING_ALLOW_SPINNING,
    },
    batching: { maxBatchRows: e.RECMESH_RANKING_MAX_BATCH_ROWS, maxWaitMicros: e.RECMESH_RANKING_BATCH_WAIT_US },
    maxCandidates: e.RECMESH_RANKING_MAX_CANDIDATES,
    hydrationTimeoutMs: e.RECMESH_RANKING_HYDRATION_TIMEOUT_MS,
    /** maxAgeMs 0: no cache, every call hydrates all its candidates. */
    itemCache: { maxAgeMs: e.RECMESH_RANKING_ITEM_CACHE_MS, maxRowsPerView: e.RECMESH_RANKING_ITEM_CACHE_ROWS },
    warmupRuns: e.RECMESH_RANKING_WARMUP_RUNS,
    bootstrapModelDir: e.RECMESH_RANKING_BOOTSTRAP ? e.RECMESH_RANKING_BOOTSTRAP_MODEL_DIR : "",
    defaultModel: e.RECMESH_RANKING_DEFAULT_MODEL,
  };
}
