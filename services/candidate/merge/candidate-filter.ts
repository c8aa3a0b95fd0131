import type { Candidate } from "../domain/candidate-types.js";

/** What a filter kept and what it removed, each in input order. */
export interface FilterResult {
  kept: Candidate[];
  removed: Candidate[];
}

/** A filter (product-mixer role); its id names its metric and span. */
export interface CandidateFilter {
  readonly id: string;
  /** True when what it removes counts as "excluded" in the response. */
  readonly countsAsExcluded: boolean;
  apply(candidates: readonly Candidate[]): FilterResult;
}

function partition(candidates: readonly Candidate[], keep: (c: Candidate) => boolean): FilterResult {
  const kept: Candidate[] = [];
  const removed: Candidate[] = [];
  for (const c of candidates) (keep(c) ? kept : removed).push(c);
  return { kept, removed };
}

/** Drops items the user already interacted with. */
export class SeenItemsFilter implements CandidateFilter {
  readonly id = "seen_items";
  readonly countsAsExcluded = true;

  constructor(private readonly seen: ReadonlySet<string>) {}

  apply(candidates: readonly Candidate[]): FilterResult {
    return partition(candidates, (c) => !this.seen.has(c.itemId));
  }
}

/** Drops the items the request asked never to return. */
export class ExcludedItemsFilter implements CandidateFilter {
  readonly id = "excluded_items";
  readonly countsAsExcluded = true;
  private readonly excluded: ReadonlySet<string>;

  constructor(itemIds: readonly string[]) {
    this.excluded = new Set(itemIds);
  }

  apply(candidates: readonly Candidate[]): FilterResult {
    return partition(candidates, (c) => !this.excluded.has(c.itemId));
  }
}

/** Keeps only the requested category (sources that cannot restrict themselves rely on it). */
export class CategoryFilter implements CandidateFilter {
  readonly id = "category";
  readonly countsAsExcluded = false;

  constructor(private readonly category: string) {}

  apply(candidates: readonly Candidate[]): FilterResult {
    return partition(candidates, (c) => c.category === this.category);
  }
}
