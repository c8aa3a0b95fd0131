import type { RemovedItem, ScoredCandidate } from "../pipeline/types.js";

/** What a filter kept (order preserved) and what it removed, with why. */
export interface FilterResult {
  kept: ScoredCandidate[];
  removed: RemovedItem[];
}

export interface FilterContext {
  /** Items the caller must not get again (on screen, already seen in the session, request exclusions). */
  excluded: ReadonlySet<string>;
}

/** A post-ranking rule. Its id names its metric, span and the reason of what it removed. */
export interface Filter {
  readonly id: string;
  apply(items: ScoredCandidate[], context: FilterContext): FilterResult;
}
