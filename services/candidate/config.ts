import { hostname } from "node:os";
import { z } from "zod";
import { breakerConfigShape, breakerSettings, natsConfigShape, serverConfigShape, serverSettings } from "../kit/config/common-config.js";
import { address, nonNegative, port, positiveInt } from "../kit/config/env-types.js";
import { loadConfig } from "../kit/config/load-config.js";
import { natsSettings } from "../kit/config/nats-config.js";
import { DEFAULT_PORTS } from "../kit/config/ports.js";
import { INTERACTION_KINDS, type InteractionKind } from "./index/index-events.js";
import { DEFAULT_INTERACTION_WEIGHTS, type InteractionWeights } from "./index/interaction-weights.js";

/** Embedding dimension shared by every service (item_content:embedding, user_taste:embedding). */
export const EMBEDDING_DIMENSION = 32;

const percent = (fallback: number) => z.coerce.number().int().min(0).max(100).default(fallback);

/** "view=1,click=3,..." → weights; kinds not named keep their defaults. */
const interactionWeights = z
  .string()
  .default("")
  .transform((text, ctx): InteractionWeights => {
    const weights: Record<InteractionKind, number> = { ...DEFAULT_INTERACTION_WEIGHTS };
    for (const part of text.split(",").filter((p) => p.trim() !== "")) {
      const [kind = "", value = ""] = part.split("=").map((s) => s.trim());
      const weight = Number(value);
      if (!(INTERACTION_KINDS as readonly string[]).includes(kind) || value === "" || !Number.isFinite(weight) || weight < 0) {
        ctx.addIssue({ code: "custom", message: `expected kind=weight pairs (kinds: ${INTERACTION_KINDS.join(", ")}; weights ≥ 0), bad part "${part}"` });
        return weights;
      }
      weights[kind as InteractionKind] = weight;
    }
    return weights;
  });

const schema = z.object({
  RECMESH_CANDIDATE_PORT: port(DEFAULT_PORTS.candidate.grpc),
  RECMESH_CANDIDATE_ADMIN_PORT: port(DEFAULT_PORTS.candidate.admin),
  ...serverConfigShape,
  ...natsConfigShape,
  ...breakerConfigShape,
  RECMESH_FEATURE_ADDR: address(`127.0.0.1:${DEFAULT_PORTS.feature.grpc}`),
  /** Timeout of the taste-embedding lookup (kept under the ANN budget, so "feature service down" is reported as such). */
  RECMESH_CANDIDATE_FEATURE_TIMEOUT_MS: positiveInt(40),
  /** Largest k a Generate call may ask for. */
  RECMESH_CANDIDATE_K_LIMIT: positiveInt(1000),
  RECMESH_CANDIDATE_MAX_EXCLUDE_ITEMS: positiveInt(10_000),
  /** Extra items asked of each source for those the seen/exclude filters will remove, at most. */
  RECMESH_CANDIDATE_MAX_OVERFETCH: z.coerce.number().int().nonnegative().default(1000),
  RECMESH_CANDIDATE_ANN_BUDGET_MS: positiveInt(80),
  RECMESH_CANDIDATE_POPULARITY_BUDGET_MS: positiveInt(30),
  RECMESH_CANDIDATE_COVISITATION_BUDGET_MS: positiveInt(40),
  /** Budget of sources added without their own setting. */
  RECMESH_CANDIDATE_DEFAULT_BUDGET_MS: positiveInt(50),
  RECMESH_CANDIDATE_ANN_QUOTA_PERCENT: percent(60),
  RECMESH_CANDIDATE_POPULARITY_QUOTA_PERCENT: percent(40),
  RECMESH_CANDIDATE_COVISITATION_QUOTA_PERCENT: percent(40),
  RECMESH_CANDIDATE_DEFAULT_QUOTA_PERCENT: percent(30),
  /** Reciprocal-rank-fusion constant of the merge. */
  RECMESH_CANDIDATE_RRF_K: nonNegative(60),
  RECMESH_CANDIDATE_POPULARITY_HALF_LIFE_HOURS: z.coerce.number().positive().default(24),
  RECMESH_CANDIDATE_POPULARITY_WEIGHTS: interactionWeights,
  RECMESH_CANDIDATE_COVISITATION_WINDOW_MINUTES: z.coerce.number().positive().default(30),
  RECMESH_CANDIDATE_COVISITATION_NEIGHBOURS: positiveInt(100),
  RECMESH_CANDIDATE_RECENT_ITEMS: positiveInt(20),
  RECMESH_CANDIDATE_SEEN_ITEMS: positiveInt(1000),
  RECMESH_CANDIDATE_ANN_M: positiveInt(16),
  RECMESH_CANDIDATE_ANN_EF_CONSTRUCTION: positiveInt(100),
  RECMESH_CANDIDATE_ANN_EF_SEARCH: positiveInt(64),
  /** Where index snapshots are kept. */
  RECMESH_CANDIDATE_SNAPSHOT_DIR: z.string().default(".data/candidate"),
  /** Save a snapshot this often when the index changed (0: only on shutdown). */
  RECMESH_CANDIDATE_SNAPSHOT_INTERVAL_MS: z.coerce.number().int().nonnegative().default(60_000),
  /** Names this instance's indexer durable (each instance keeps its own in-memory index). */
  RECMESH_CANDIDATE_INSTANCE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { message: "expected letters, digits, - or _" })
    .default(hostname().replace(/[^A-Za-z0-9_-]/g, "-")),
});

export type CandidateConfig = ReturnType<typeof loadCandidateConfig>;

export function loadCandidateConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(schema, env);
  return {
    server: serverSettings("candidate", { grpcPort: e.RECMESH_CANDIDATE_PORT, adminPort: e.RECMESH_CANDIDATE_ADMIN_PORT }, e),
    nats: natsSettings(e),
    streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS },
    breaker: breakerSettings(e),
    feature: { address: e.RECMESH_FEATURE_ADDR, timeoutMs: e.RECMESH_CANDIDATE_FEATURE_TIMEOUT_MS },
    limits: { kLimit: e.RECMESH_CANDIDATE_K_LIMIT, maxExcludeItems: e.RECMESH_CANDIDATE_MAX_EXCLUDE_ITEMS },
    merge: { maxOverfetch: e.RECMESH_CANDIDATE_MAX_OVERFETCH, rrfK: e.RECMESH_CANDIDATE_RRF_K },
    sources: {
      embeddingAnn: { budgetMs: e.RECMESH_CANDIDATE_ANN_BUDGET_MS, quotaPercent: e.RECMESH_CANDIDATE_ANN_QUOTA_PERCENT },
      popularity: { budgetMs: e.RECMESH_CANDIDATE_POPULARITY_BUDGET_MS, quotaPercent: e.RECMESH_CANDIDATE_POPULARITY_QUOTA_PERCENT },
      coVisitation: { budgetMs: e.RECMESH_CANDIDATE_COVISITATION_BUDGET_MS, quotaPercent: e.RECMESH_CANDIDATE_COVISITATION_QUOTA_PERCENT },
      fallback: { budgetMs: e.RECMESH_CANDIDATE_DEFAULT_BUDGET_MS, quotaPercent: e.RECMESH_CANDIDATE_DEFAULT_QUOTA_PERCENT },
    },
    index: {
      popularity: {
        halfLifeHours: e.RECMESH_CANDIDATE_POPULARITY_HALF_LIFE_HOURS,
        capacity: e.RECMESH_CANDIDATE_K_LIMIT + e.RECMESH_CANDIDATE_MAX_OVERFETCH,
      },
      history: {
        recentItems: e.RECMESH_CANDIDATE_RECENT_ITEMS,
        seenItems: e.RECMESH_CANDIDATE_SEEN_ITEMS,
        windowMs: e.RECMESH_CANDIDATE_COVISITATION_WINDOW_MINUTES * 60_000,
      },
      coVisitationNeighbours: e.RECMESH_CANDIDATE_COVISITATION_NEIGHBOURS,
      weights: e.RECMESH_CANDIDATE_POPULARITY_WEIGHTS,
    },
    ann: {
      dimension: EMBEDDING_DIMENSION,
      m: e.RECMESH_CANDIDATE_ANN_M,
      efConstruction: e.RECMESH_CANDIDATE_ANN_EF_CONSTRUCTION,
      efSearch: e.RECMESH_CANDIDATE_ANN_EF_SEARCH,
      initialCapacity: 1024,
    },
    snapshot: { dir: e.RECMESH_CANDIDATE_SNAPSHOT_DIR, intervalMs: e.RECMESH_CANDIDATE_SNAPSHOT_INTERVAL_MS },
    instance: e.RECMESH_CANDIDATE_INSTANCE,
  };
}
