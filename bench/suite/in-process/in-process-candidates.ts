import type { CandidateGenerator } from "../../../services/candidate/domain/candidate-generator.js";
import { validateQuery, type QueryLimits } from "../../../services/candidate/domain/query-validation.js";
import type { SourceRegistry } from "../../../services/candidate/domain/source-registry.js";
import type { CandidatePort, CandidateQuery, CandidateResult } from "../../../services/recommender/pipeline/ports.js";
import type { Candidate } from "../../../services/recommender/pipeline/types.js";

/** The recommender's candidate port answered by the candidate service's generator in this process (what Generate runs, no RPC). */
export class InProcessCandidates implements CandidatePort {
  constructor(
    private readonly generator: CandidateGenerator,
    private readonly registry: SourceRegistry,
    private readonly limits: QueryLimits,
  ) {}

  async generate(q: CandidateQuery, deadline: number): Promise<CandidateResult> {
    const query = validateQuery(
      { userId: q.userId, k: q.k, attributes: q.context, sources: [], excludeItemIds: q.exclude, sourceQuotas: q.quotas, category: "" },
      this.registry,
      this.limits,
    );
    const result = await this.generator.generate(query, { deadline, signal: new AbortController().signal });
    return {
      candidates: result.candidates.map((c) => ({ itemId: c.itemId, retrievalScore: c.score, sources: c.sources.map((s) => s.source), category: c.category })),
      sources: result.sources,
      unknownUser: result.unknownUser,
    };
  }

  popular(): Candidate[] {
    return [];
  }
}
