import type { WorldSize } from "../harness/child-stack.js";

export interface SuiteSettings {
  world: WorldSize;
  recommendRps: number;
  trackRps: number;
  /** Client deadline of every call. */
  deadlineMs: number;
  /** What a call may take past its deadline before it counts as a hang (event-loop noise on a shared machine). */
  slackMs: number;
  /** Share of Recommend calls that may end at their deadline (a starved shared host) before "keeps answering" fails. */
  maxTimedOutShare: number;
  maxInFlight: number;
  /** Load before a fault and after recovery. */
  steadyMs: number;
  /** How long a fault lasts. */
  outageMs: number;
  /** Longest wait for the system to recover after a fault ends. */
  recoverTimeoutMs: number;
  /** Latency the slow-dependency scenario adds in front of ranking (above the recommender's ranking timeout). */
  slowDelayMs: number;
  overload: {
    /** RECMESH_RECOMMENDER_MAX_CONCURRENCY while overloaded. */
    maxConcurrency: number;
    /** Closed-loop ramp: concurrency levels, each held this long. */
    rampLevels: number[];
    rampStepMs: number;
    /** Open-loop load at 3× saturation, this long. */
    loadMs: number;
    /** Growth of the recommender's RSS over its baseline that still counts as bounded. */
    rssBoundBytes: number;
  };
  /** Longest wait for consumers to catch up and exposures to arrive before auditing. */
  auditTimeoutMs: number;
}

/** Names the candidate indexer's durable (candidate-indexer-<instance>) and its dead-letter subject. */
export const CANDIDATE_INSTANCE = "reliability";

/** Budgets shared by both forms: tight enough that a slow ranking trips its breaker, loose enough for a shared 2-core machine. */
export const STACK_ENV: Record<string, string> = {
  RECMESH_BREAKER_RESET_MS: "500",
  RECMESH_BREAKER_VOLUME_THRESHOLD: "5",
  RECMESH_BREAKER_WINDOW_MS: "2000",
  RECMESH_RECOMMENDER_EXPERIMENT_TIMEOUT_MS: "400",
  RECMESH_RECOMMENDER_FEATURES_TIMEOUT_MS: "400",
  RECMESH_RECOMMENDER_CANDIDATES_TIMEOUT_MS: "800",
  RECMESH_RECOMMENDER_RANKING_TIMEOUT_MS: "800",
  RECMESH_RECOMMENDER_TARGET_LATENCY_MS: "1000",
  RECMESH_CANDIDATE_ANN_BUDGET_MS: "400",
  RECMESH_CANDIDATE_POPULARITY_BUDGET_MS: "400",
  RECMESH_CANDIDATE_COVISITATION_BUDGET_MS: "400",
  RECMESH_CANDIDATE_FEATURE_TIMEOUT_MS: "300",
  RECMESH_RANKING_HYDRATION_TIMEOUT_MS: "400",
  RECMESH_CANDIDATE_INSTANCE: CANDIDATE_INSTANCE,
};

/** The CI form: a few seconds of load per scenario on a small world. */
export const REDUCED: SuiteSettings = {
  world: { items: 300, users: 60, days: 3 },
  recommendRps: 20,
  trackRps: 10,
  deadlineMs: 3_000,
  slackMs: 1_000,
  maxTimedOutShare: 0.1,
  maxInFlight: 256,
  steadyMs: 1_000,
  outageMs: 3_000,
  recoverTimeoutMs: 30_000,
  slowDelayMs: 1_500,
  overload: { maxConcurrency: 8, rampLevels: [1, 2, 4, 8], rampStepMs: 1_000, loadMs: 4_000, rssBoundBytes: 512 * 1024 * 1024 },
  auditTimeoutMs: 60_000,
};

/** `recmesh faults --full`: longer load per scenario on a larger world. */
export const FULL: SuiteSettings = {
  world: { items: 2_000, users: 400, days: 7 },
  recommendRps: 40,
  trackRps: 20,
  deadlineMs: 3_000,
  slackMs: 1_000,
  maxTimedOutShare: 0,
  maxInFlight: 512,
  steadyMs: 10_000,
  outageMs: 15_000,
  recoverTimeoutMs: 60_000,
  slowDelayMs: 1_500,
  overload: { maxConcurrency: 8, rampLevels: [1, 2, 4, 8], rampStepMs: 3_000, loadMs: 30_000, rssBoundBytes: 512 * 1024 * 1024 },
  auditTimeoutMs: 120_000,
};
