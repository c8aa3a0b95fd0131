import { SourceSkippedError, type CandidateSource } from "../domain/candidate-source.js";
import type { SourceContext, SourceItem, UserProfile } from "../domain/candidate-types.js";
import type { CandidateIndex } from "../index/candidate-index.js";

/**
 * Items other users went on to right after the user's recent items. Each
 * recent item votes for its successors with P(successor | item), weighted
 * 1 / (position + 1) so the latest items count most.
 */
export class CoVisitationCandidateSource implements CandidateSource {
  readonly id = "co_visitation";
  readonly failsOpen = true;
  readonly personalised = true;

  constructor(private readonly index: CandidateIndex) {}

  async fetch(user: UserProfile, context: SourceContext, k: number): Promise<SourceItem[]> {
    if (user.recentItems.length === 0) throw new SourceSkippedError("the user has no recent interactions");
    const { catalog, coVisitation } = this.index;
    const scores = new Map<number, number>();
    user.recentItems.forEach((itemId, position) => {
      const anchor = catalog.label(itemId);
      const row = anchor === undefined ? undefined : coVisitation.neighbours(anchor);
      if (anchor === undefined || !row) return;
      const vote = 1 / (position + 1) / coVisitation.total(anchor);
      for (const [label, weight] of row) {
        if (!catalog.retrievable(label) || (context.category !== undefined && catalog.category(label) !== context.category)) continue;
        scores.set(label, (scores.get(label) ?? 0) + vote * weight);
      }
    });
    return [...scores]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([label, score]) => ({ itemId: catalog.itemId(label), score }));
  }
}
