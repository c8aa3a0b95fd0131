import type { Candidate, SourceItem } from "../domain/candidate-types.js";

/** One source's ranked answer, as the merge sees it. */
export interface RankedList {
  source: string;
  items: readonly SourceItem[];
}

/**
 * Deduplicates the sources' lists into one candidate per item, keeping every
 * (source, score, rank) that found it, in the order the lists are given.
 * The merged score is reciprocal-rank fusion: Σ weight_s / (rrfK + rank_s + 1)
 * over the sources that found the item. Ranks, unlike raw scores, are
 * comparable across sources whose scores live on different scales (cosine
 * similarity, decayed counts, co-visitation probabilities).
 */
export function fuseRanks(
  lists: readonly RankedList[],
  options: { rrfK: number; weights: Readonly<Record<string, number>>; categoryOf: (itemId: string) => string },
): Candidate[] {
  const byItem = new Map<string, Candidate>();
  for (const list of lists) {
    const weight = options.weights[list.source] ?? 1;
    list.items.forEach((item, rank) => {
      let candidate = byItem.get(item.itemId);
      if (!candidate) {
        candidate = { itemId: item.itemId, score: 0, sources: [], category: options.categoryOf(item.itemId) };
        byItem.set(item.itemId, candidate);
      } else if (candidate.sources.some((s) => s.source === list.source)) {
        return;
      }
      candidate.sources.push({ source: list.source, score: item.score, rank });
      candidate.score += weight / (options.rrfK + rank + 1);
    });
  }
  return [...byItem.values()].sort(byMergedOrder);
}

/** Merged score descending; ties by best rank in any source, then item id, so the order is deterministic. */
export function byMergedOrder(a: Candidate, b: Candidate): number {
  return b.score - a.score || bestRank(a) - bestRank(b) || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);
}

function bestRank(c: Candidate): number {
  let best = Infinity;
  for (const s of c.sources) best = Math.min(best, s.rank);
  return best;
}
