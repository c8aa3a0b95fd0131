import type { ScoredCandidate } from "../pipeline/types.js";
import type { Filter, FilterResult } from "./filter.js";

/** Keeps the first (best-ranked) occurrence of each item. */
export class DuplicateItemsFilter implements Filter {
  readonly id = "DuplicateItemsFilter";

  apply(items: ScoredCandidate[]): FilterResult {
    const seen = new Set<string>();
    const kept: ScoredCandidate[] = [];
    const removed = [];
    for (const item of items) {
      if (seen.has(item.itemId)) removed.push({ itemId: item.itemId, reason: this.id });
      else {
        seen.add(item.itemId);
        kept.push(item);
      }
    }
    return { kept, removed };
  }
}
