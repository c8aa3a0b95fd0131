import type { CandidateSource } from "../domain/candidate-source.js";
import type { SourceContext, SourceItem, UserProfile } from "../domain/candidate-types.js";
import type { CandidateIndex } from "../index/candidate-index.js";

/**
 * The most popular retrievable items by time-decayed interaction weight,
 * globally or within the requested category. The one source that needs
 * nothing about the user, so it does not fail open: without it an unknown
 * user gets nothing.
 */
export class PopularityCandidateSource implements CandidateSource {
  readonly id = "popularity";
  readonly failsOpen = false;
  readonly personalised = false;

  constructor(
    private readonly index: CandidateIndex,
    private readonly clock: () => number,
  ) {}

  async fetch(_user: UserProfile, context: SourceContext, k: number): Promise<SourceItem[]> {
    const { catalog, popularity } = this.index;
    const now = this.clock();
    const out: SourceItem[] = [];
    for (const { label, key } of popularity.ranked(context.category)) {
      if (out.length >= k) break;
      if (catalog.retrievable(label)) out.push({ itemId: catalog.itemId(label), score: popularity.scoreAt(key, now) });
    }
    return out;
  }
}
