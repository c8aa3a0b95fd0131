import type { Ranker } from "../../../services/ranking/ranker.js";
import type { FeatureRows } from "../../../services/ranking/scoring/feature-rows.js";
import type { RankingPort, RankQuery, RankResult } from "../../../services/recommender/pipeline/ports.js";

/** The recommender's ranking port answered by the ranking service's Ranker in this process (what Rank runs, no RPC). */
export class InProcessRanking implements RankingPort {
  constructor(private readonly ranker: Ranker) {}

  async rank(q: RankQuery, deadline: number): Promise<RankResult> {
    const out = await this.ranker.rank({
      userId: q.userId,
      userFeatures: q.userFeatures.payload as Map<string, FeatureRows>,
      itemIds: q.itemIds,
      itemFeatures: new Map(),
      model: q.model,
      deadline,
    });
    return { scores: out.scores, model: out.model };
  }
}
