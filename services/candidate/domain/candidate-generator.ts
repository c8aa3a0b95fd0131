import { UnavailableError } from "../../kit/errors/errors.js";
import { CategoryFilter, ExcludedItemsFilter, SeenItemsFilter, type CandidateFilter } from "../merge/candidate-filter.js";
import { mergeCandidates } from "../merge/merge-candidates.js";
import type { Candidate, GenerateEvent, GenerateQuery, GenerateResult, UserProfile } from "./candidate-types.js";
import type { SourceRegistry } from "./source-registry.js";
import { runSources, type SourceRun } from "./source-runner.js";

/** What the generator reads from the candidate index. */
export interface CandidateReadModel {
  profile(userId: string): UserProfile;
  categoryOf(itemId: string): string;
}

export interface GeneratorSettings {
  /** Extra items asked of each source to make up for those the filters will remove, at most. */
  maxOverfetch: number;
  /** Reciprocal-rank-fusion constant. */
  rrfK: number;
  /** RRF weight per source id (default 1). */
  weights: Readonly<Record<string, number>>;
}

export interface GenerateObserver {
  sourceRun(run: SourceRun): void;
  filtered(removedBy: Record<string, number>): void;
}

/**
 * The retrieval pipeline: the user's profile, every requested source
 * concurrently under its budget, then dedupe + fusion, filters (request
 * exclusions, seen items, category) and per-source quotas.
 */
export class CandidateGenerator {
  constructor(
    private readonly registry: SourceRegistry,
    private readonly index: CandidateReadModel,
    private readonly settings: GeneratorSettings,
    private readonly observer: GenerateObserver,
  ) {}

  /** Each source's batch as it finishes, then the merged summary. */
  async *events(query: GenerateQuery, call: { deadline: number; signal: AbortSignal }): AsyncGenerator<GenerateEvent> {
    const user = this.index.profile(query.userId);
    const runs = new Map<string, SourceRun>();
    for await (const run of this.runs(query, user, call)) {
      runs.set(run.registration.source.id, run);
      yield { kind: "batch", report: run.report, candidates: this.batch(run.registration.source.id, run) };
    }
    yield { kind: "summary", result: this.merge(query, user, query.sources.map((id) => runs.get(id) as SourceRun)) };
  }

  /** The merged summary only: no per-source batches are built (they cost a category lookup and an object per item found). */
  async generate(query: GenerateQuery, call: { deadline: number; signal: AbortSignal }): Promise<GenerateResult> {
    const user = this.index.profile(query.userId);
    const runs = new Map<string, SourceRun>();
    for await (const run of this.runs(query, user, call)) runs.set(run.registration.source.id, run);
    return this.merge(query, user, query.sources.map((id) => runs.get(id) as SourceRun));
  }

  /** Each source's run as it finishes; a failed or timed-out source that does not fail open fails the call. */
  private async *runs(query: GenerateQuery, user: UserProfile, call: { deadline: number; signal: AbortSignal }): AsyncGenerator<SourceRun> {
    const registrations = query.sources.map((id) => this.registration(id));
    const fetchK = query.k + Math.min(user.seen.size + query.excludeItemIds.length, this.settings.maxOverfetch);
    const context = { attributes: query.attributes, category: query.category, deadline: call.deadline };
    for await (const run of runSources(registrations, { user, context, k: fetchK, signal: call.signal })) {
      this.observer.sourceRun(run);
      const { source } = run.registration;
      if (!source.failsOpen && (run.report.status === "failed" || run.report.status === "timed_out")) {
        throw new UnavailableError(`candidate source ${source.id} ${run.report.status === "failed" ? "failed" : "timed out"}: ${run.report.reason}`, {
          cause: run.error,
        });
      }
      yield run;
    }
  }

  private registration(id: string) {
    const registration = this.registry.get(id);
    if (!registration) throw new Error(`source ${id} is not registered`);
    return registration;
  }

  private batch(source: string, run: SourceRun): Candidate[] {
    return run.items.map((item, rank) => ({
      itemId: item.itemId,
      score: item.score,
      sources: [{ source, score: item.score, rank }],
      category: this.index.categoryOf(item.itemId),
    }));
  }

  private merge(query: GenerateQuery, user: UserProfile, runs: SourceRun[]): GenerateResult {
    const filters: CandidateFilter[] = [new ExcludedItemsFilter(query.excludeItemIds), new SeenItemsFilter(user.seen)];
    if (query.category !== undefined) filters.push(new CategoryFilter(query.category));
    const quotas = new Map(
      runs.map((r) => {
        const percent = query.quotaPercents[r.registration.source.id] ?? r.registration.quotaPercent;
        return [r.registration.source.id, Math.ceil((query.k * percent) / 100)];
      }),
    );
    const merged = mergeCandidates(
      runs.map((r) => ({ source: r.registration.source.id, items: r.items })),
      { k: query.k, quotas, filters, rrfK: this.settings.rrfK, weights: this.settings.weights, categoryOf: (id) => this.index.categoryOf(id) },
    );
    this.observer.filtered(merged.removedBy);
    const hasHistory = user.recentItems.length > 0 || user.seen.size > 0;
    const personalised = runs.some((r) => r.registration.source.personalised && r.report.status === "ok" && r.items.length > 0);
    return {
      candidates: merged.candidates,
      sources: runs.map((r) => r.report),
      unknownUser: !hasHistory && !personalised,
      excluded: merged.excluded,
    };
  }
}
