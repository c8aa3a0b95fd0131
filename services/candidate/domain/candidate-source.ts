import type { SourceContext, SourceItem, UserProfile } from "./candidate-types.js";

/**
 * A candidate source (product-mixer role): retrieves up to k items for a user,
 * best first, each with the source's own score. Its id names it in requests,
 * reports, metrics and spans.
 */
export interface CandidateSource {
  readonly id: string;
  /** True: a failure is reported and the other sources still answer; false: a failure fails the call. */
  readonly failsOpen: boolean;
  /** True when its answer depends on who the user is (an unknown user gets nothing personalised). */
  readonly personalised: boolean;
  /** Throws SourceSkippedError when its input is unavailable; should stop work when `signal` aborts. */
  fetch(user: UserProfile, context: SourceContext, k: number, signal: AbortSignal): Promise<SourceItem[]>;
}

/** The source cannot run for this call (e.g. no taste embedding, feature service down); reported as SKIPPED. */
export class SourceSkippedError extends Error {
  override name = "SourceSkippedError";
}
