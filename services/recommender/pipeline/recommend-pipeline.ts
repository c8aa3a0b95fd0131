import { randomUUID } from "node:crypto";
import { DeadlineExceededError } from "../../kit/errors/errors.js";
import type { Filter } from "../filters/filter.js";
import type { CandidateBudget } from "../resilience/candidate-budget.js";
import { variantSettings } from "./variant-settings.js";
import type { CandidatePort, CandidateResult, ExperimentPort, RankingPort, UserFeaturePort, UserFeatures } from "./ports.js";
import { StageTracer } from "./stage-tracer.js";
import type { Assignment, Degraded, ModelRef, ScoredCandidate, SourceReport, StageTrace } from "./types.js";

export interface RecommendQuery {
  userId: string;
  count: number;
  surface: string;
  context: Record<string, string>;
  /** Items never to return: the request's exclusions plus what a session has already shown or seen. */
  exclude: string[];
  deadline: number;
  signal?: AbortSignal;
}

export interface Recommendation {
  requestId: string;
  userId: string;
  surface: string;
  items: ScoredCandidate[];
  assignments: Assignment[];
  model?: ModelRef;
  degraded: Degraded[];
  stages: StageTrace[];
  sources: SourceReport[];
  featuresUsed: string[];
  /** Every ranked candidate, best first, before post-ranking. */
  ranked: ScoredCandidate[];
}

export interface SurfacePipeline {
  filters: Filter[];
}

export interface PipelineDeps {
  experiments: ExperimentPort;
  features: UserFeaturePort;
  candidates: CandidatePort;
  ranking: RankingPort;
  budget: CandidateBudget;
  surfaces: ReadonlyMap<string, SurfacePipeline>;
  /** Refuse requests arriving with less time than this left. */
  minBudgetMs: number;
  onFallback: (dependency: Degraded, err: unknown) => void;
}

/**
 * The Recommend pipeline as configuration: assign → (user features ∥ candidates)
 * → rank → post-ranking filters → cut to count. Every dependency failure falls
 * back (control variants, feature defaults, cached popular list, retrieval
 * order) and is listed in `degraded` instead of failing the request.
 */
export class RecommendPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  async recommend(query: RecommendQuery): Promise<Recommendation> {
    const { deps } = this;
    if (query.deadline - Date.now() < deps.minBudgetMs) {
      throw new DeadlineExceededError(`less than ${deps.minBudgetMs} ms left before the deadline: not starting`);
    }
    const surface = deps.surfaces.get(query.surface);
    if (!surface) throw new Error(`surface ${query.surface} has no pipeline`);
    const started = performance.now();
    const tracer = new StageTracer();
    const degraded = new Set<Degraded>();
    const fallback = <T>(dependency: Degraded, value: () => T) => (err: unknown): T => {
      this.throwIfOutOfTime(query);
      degraded.add(dependency);
      deps.onFallback(dependency, err);
      return value();
    };

    const assignments = await tracer.run(
      "ExperimentAssignment",
      0,
      () => deps.experiments.assign(query.userId, query.context, query.deadline).catch(fallback("experiment", () => deps.experiments.controlAssignments())),
      (a) => ({ outputCount: a.length, attributes: { "recmesh.variants": a.map((x) => `${x.experiment}:${x.variant}`).join(",") } }),
    );
    const settings = variantSettings(assignments);
    const k = deps.budget.size;
    if (deps.budget.narrowed) degraded.add("load");

    const [features, retrieved] = await Promise.all([
      tracer.run(
        "UserFeatureHydration",
        1,
        () => deps.features.fetch(query.userId, query.deadline).catch(fallback("features", () => deps.features.defaults())),
        (f: UserFeatures) => ({ outputCount: f.views.length }),
      ),
      tracer.run(
        "CandidateGeneration",
        0,
        () =>
          deps.candidates
            .generate({ userId: query.userId, k, context: query.context, exclude: query.exclude, quotas: settings.quotas }, query.deadline)
            .catch(fallback("candidates", (): CandidateResult => ({ candidates: deps.candidates.popular(), sources: [], unknownUser: false }))),
        (r) => ({ outputCount: r.candidates.length, attributes: { "recmesh.candidates_requested": k } }),
      ),
    ]);

    const candidates = retrieved.candidates.slice(0, k);
    let model: ModelRef | undefined;
    const ranked = await tracer.run(
      "Ranking",
      candidates.length,
      async (notes) => {
        if (candidates.length === 0) return [];
        const rankQuery = { userId: query.userId, userFeatures: features, itemIds: candidates.map((c) => c.itemId), context: query.context, model: settings.model };
        try {
          const result = await deps.ranking.rank(rankQuery, query.deadline);
          model = result.model;
          return candidates.map((c, i) => ({ ...c, score: Number(result.scores[i]) }));
        } catch (err) {
          return fallback("ranking", () => {
            notes.push(`ranking unavailable: ordered by retrieval score (${err instanceof Error ? err.message : String(err)})`);
            return candidates.map((c) => ({ ...c, score: c.retrievalScore }));
          })(err);
        }
      },
      (r) => ({ outputCount: r.length, attributes: { "recmesh.model": model ? `${model.name}/${model.version}` : "none" } }),
    );
    ranked.sort((a, b) => b.score - a.score);

    let items = ranked;
    const excluded = new Set(query.exclude);
    for (const filter of surface.filters) {
      const input = items;
      const result = await tracer.run(filter.id, input.length, async () => filter.apply(input, { excluded }), (r) => ({
        outputCount: r.kept.length,
        removed: r.removed,
      }));
      items = result.kept;
    }
    const selected = items.slice(0, query.count);
    deps.budget.observe(performance.now() - started);
    return {
      requestId: randomUUID(),
      userId: query.userId,
      surface: query.surface,
      items: selected,
      assignments,
      model,
      degraded: [...degraded],
      stages: tracer.stages,
      sources: retrieved.sources,
      featuresUsed: features.views,
      ranked,
    };
  }

  private throwIfOutOfTime(query: RecommendQuery): void {
    if (query.signal?.aborted || Date.now() >= query.deadline) {
      throw new DeadlineExceededError("deadline exceeded while waiting for dependencies");
    }
  }
}
