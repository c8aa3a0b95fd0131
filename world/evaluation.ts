import type { WorldInteraction, WorldInteractionType } from "./world-types.js";

/**
 * Each user's relevant items in a held-out slice: distinct items with an
 * interaction of one of `types`, in order of first occurrence.
 */
export function relevantItemsByUser(
  heldout: readonly WorldInteraction[],
  types: readonly WorldInteractionType[] = ["click", "add_to_cart", "purchase"],
): Map<string, string[]> {
  const wanted = new Set(types);
  const sets = new Map<string, Set<string>>();
  for (const i of heldout) {
    if (!wanted.has(i.type)) continue;
    let items = sets.get(i.userId);
    if (!items) sets.set(i.userId, (items = new Set()));
    items.add(i.itemId);
  }
  return new Map([...sets].map(([user, items]) => [user, [...items]]));
}

/** Share of the relevant items found in the first k recommendations (0 when nothing is relevant). */
export function recallAtK(recommended: readonly string[], relevant: readonly string[], k: number): number {
  if (relevant.length === 0) return 0;
  const wanted = new Set(relevant);
  const hits = new Set(recommended.slice(0, k).filter((id) => wanted.has(id))).size;
  return hits / Math.min(relevant.length, k);
}

/** Normalised discounted cumulative gain of the first k recommendations, binary relevance. */
export function ndcgAtK(recommended: readonly string[], relevant: readonly string[], k: number): number {
  if (relevant.length === 0) return 0;
  const wanted = new Set(relevant);
  const seen = new Set<string>();
  let dcg = 0;
  recommended.slice(0, k).forEach((id, rank) => {
    if (wanted.has(id) && !seen.has(id)) dcg += 1 / Math.log2(rank + 2);
    seen.add(id);
  });
  let ideal = 0;
  for (let rank = 0; rank < Math.min(relevant.length, k); rank++) ideal += 1 / Math.log2(rank + 2);
  return dcg / ideal;
}
