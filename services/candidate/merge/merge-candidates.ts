import { tracer } from "../../kit/telemetry/tracing.js";
import type { Candidate } from "../domain/candidate-types.js";
import type { CandidateFilter } from "./candidate-filter.js";
import { selectWithQuotas } from "./quota-selector.js";
import { fuseRanks, type RankedList } from "./rank-fusion.js";

export interface MergeSettings {
  k: number;
  /** Maximum candidates per source in the merged set. */
  quotas: ReadonlyMap<string, number>;
  /** Applied in order, before the quotas. */
  filters: readonly CandidateFilter[];
  rrfK: number;
  weights: Readonly<Record<string, number>>;
  categoryOf: (itemId: string) => string;
}

export interface MergeResult {
  candidates: Candidate[];
  /** Removed by filters that count as exclusions (seen items, the request's exclude list). */
  excluded: number;
  /** Removed count by filter id. */
  removedBy: Record<string, number>;
}

/** Dedupe and fuse the sources' lists, filter, then pick k under the per-source quotas. */
export function mergeCandidates(lists: readonly RankedList[], settings: MergeSettings): MergeResult {
  let candidates = fuseRanks(lists, settings);
  let excluded = 0;
  const removedBy: Record<string, number> = {};
  for (const filter of settings.filters) {
    const span = tracer.startSpan(`candidate.filter.${filter.id}`, { attributes: { "candidate.filter.input": candidates.length } });
    const { kept, removed } = filter.apply(candidates);
    span.setAttribute("candidate.filter.removed", removed.length);
    span.end();
    removedBy[filter.id] = removed.length;
    if (filter.countsAsExcluded) excluded += removed.length;
    candidates = kept;
  }
  return { candidates: selectWithQuotas(candidates, settings.k, settings.quotas), excluded, removedBy };
}
