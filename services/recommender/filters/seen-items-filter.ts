import type { ScoredCandidate } from "../pipeline/types.js";
import type { Filter, FilterContext, FilterResult } from "./filter.js";

/** Removes items the caller excluded or the session has already shown or seen interacted with. */
export class SeenItemsFilter implements Filter {
  readonly id = "SeenItemsFilter";

  apply(items: ScoredCandidate[], context: FilterContext): FilterResult {
    const kept: ScoredCandidate[] = [];
    const removed = [];
    for (const item of items) {
      if (context.excluded.has(item.itemId)) removed.push({ itemId: item.itemId, reason: this.id });
      else kept.push(item);
    }
    return { kept, removed };
  }
}
