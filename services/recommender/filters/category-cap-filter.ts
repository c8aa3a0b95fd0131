import type { ScoredCandidate } from "../pipeline/types.js";
import type { Filter, FilterResult } from "./filter.js";

/**
 * Diversity: at most `maxPerCategory` items of one category among the first
 * `window` results, walking in rank order. Items past the window are kept as they are.
 */
export class CategoryCapFilter implements Filter {
  readonly id = "CategoryCapFilter";

  constructor(
    private readonly maxPerCategory: number,
    private readonly window: number,
  ) {}

  apply(items: ScoredCandidate[]): FilterResult {
    const perCategory = new Map<string, number>();
    const kept: ScoredCandidate[] = [];
    const removed = [];
    for (const item of items) {
      if (kept.length >= this.window) {
        kept.push(item);
        continue;
      }
      const n = perCategory.get(item.category) ?? 0;
      if (item.category !== "" && n >= this.maxPerCategory) removed.push({ itemId: item.itemId, reason: this.id });
      else {
        perCategory.set(item.category, n + 1);
        kept.push(item);
      }
    }
    return { kept, removed };
  }
}
