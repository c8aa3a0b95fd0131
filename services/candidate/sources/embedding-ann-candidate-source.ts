import { DeadlineExceededError, UnavailableError } from "../../kit/errors/errors.js";
import { SourceSkippedError, type CandidateSource } from "../domain/candidate-source.js";
import type { SourceContext, SourceItem, UserProfile } from "../domain/candidate-types.js";
import type { CandidateIndex } from "../index/candidate-index.js";
import type { TasteEmbeddings } from "./taste-embeddings.js";

/** Items whose content embedding is nearest (cosine) to the user's taste embedding, from the HNSW index. */
export class EmbeddingAnnCandidateSource implements CandidateSource {
  readonly id = "embedding_ann";
  readonly failsOpen = true;
  readonly personalised = true;

  constructor(
    private readonly index: CandidateIndex,
    private readonly tastes: TasteEmbeddings,
  ) {}

  async fetch(user: UserProfile, context: SourceContext, k: number, signal: AbortSignal): Promise<SourceItem[]> {
    const taste = await this.taste(user.userId, context, signal);
    if (!taste) throw new SourceSkippedError("the user has no taste embedding (user_taste:embedding is MISSING)");
    if (taste.every((v) => v === 0)) throw new SourceSkippedError("the user's taste embedding is all zeros");
    signal.throwIfAborted();
    const { vectors, catalog } = this.index;
    const n = Math.min(k, vectors.size);
    if (n === 0) return [];
    const category = context.category;
    const filtering = category !== undefined || catalog.unavailableCount > 0;
    const accept = filtering
      ? (label: number) => catalog.retrievable(label) && (category === undefined || catalog.category(label) === category)
      : undefined;
    const { labels, similarities } = vectors.search(taste, n, accept);
    return labels.map((label, i) => ({ itemId: catalog.itemId(label), score: similarities[i] as number }));
  }

  private async taste(userId: string, context: SourceContext, signal: AbortSignal): Promise<Float32Array | undefined> {
    try {
      return await this.tastes.tasteOf(userId, { deadline: context.deadline, signal });
    } catch (err) {
      if (err instanceof UnavailableError || err instanceof DeadlineExceededError) {
        throw new SourceSkippedError(`feature service unavailable: ${err.message}`);
      }
      throw err;
    }
  }
}
