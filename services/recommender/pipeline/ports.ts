import type { Assignment, Candidate, ModelRef, SourceReport } from "./types.js";

/** Experiment assignment. */
export interface ExperimentPort {
  assign(userId: string, context: Record<string, string>, deadline: number): Promise<Assignment[]>;
  /** Control variants of the experiments known to be running: the fallback when assignment fails. */
  controlAssignments(): Assignment[];
}

/** The user's packed feature rows, passed through to ranking untouched. */
export interface UserFeatures {
  views: string[];
  /** Adapter-owned payload (the packed blocks). */
  payload: unknown;
}

export interface UserFeaturePort {
  fetch(userId: string, deadline: number): Promise<UserFeatures>;
  /** What ranking gets when the feature service is down: nothing, so it applies registry defaults. */
  defaults(): UserFeatures;
}

export interface CandidateQuery {
  userId: string;
  k: number;
  context: Record<string, string>;
  exclude: string[];
  quotas: Record<string, number>;
}

export interface CandidateResult {
  candidates: Candidate[];
  sources: SourceReport[];
  unknownUser: boolean;
}

export interface CandidatePort {
  generate(query: CandidateQuery, deadline: number): Promise<CandidateResult>;
  /** The cached global popular list, the fallback when the candidate service is down. */
  popular(): Candidate[];
}

export interface RankQuery {
  userId: string;
  userFeatures: UserFeatures;
  itemIds: string[];
  context: Record<string, string>;
  model?: { name: string; version: string };
}

export interface RankResult {
  /** Scores in the order of itemIds. */
  scores: ArrayLike<number>;
  model: ModelRef;
}

export interface RankingPort {
  rank(query: RankQuery, deadline: number): Promise<RankResult>;
}

/** Work done after a response is computed, off the response path (exposure logging). */
export interface SideEffect<R> {
  readonly id: string;
  run(result: R): void;
}
