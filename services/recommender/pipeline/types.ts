/** A retrieved item as the recommender sees it. */
export interface Candidate {
  itemId: string;
  /** Merged retrieval score (the popularity-ordered fallback when ranking is down). */
  retrievalScore: number;
  sources: string[];
  category: string;
}

export interface ScoredCandidate extends Candidate {
  score: number;
}

/** Dependencies whose fallback shaped a response. */
export type Degraded = "experiment" | "features" | "candidates" | "ranking" | "load";

export interface Assignment {
  experiment: string;
  variant: string;
  layer: string;
  params: Record<string, string>;
  forced: boolean;
  bucket: number;
}

export interface SourceReport {
  source: string;
  status: "ok" | "timed_out" | "skipped" | "failed";
  reason: string;
  returned: number;
  latencyMs: number;
}

export interface RemovedItem {
  itemId: string;
  reason: string;
}

/** What one pipeline stage did, for explain and spans. */
export interface StageTrace {
  stage: string;
  durationMs: number;
  inputCount: number;
  outputCount: number;
  removed: RemovedItem[];
  notes: string[];
}

export interface ModelRef {
  name: string;
  version: string;
}
