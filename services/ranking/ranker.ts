import { InvalidArgumentError } from "../kit/errors/errors.js";
import type { ModelTable } from "./model/model-table.js";
import type { ExecutionProvider, ServingModel } from "./model/serving-model.js";
import type { FeatureRows } from "./scoring/feature-rows.js";
import { finalizeScores } from "./scoring/finalize-scores.js";
import type { RecentInputs } from "./scoring/recent-inputs.js";
import { assembleRows } from "./scoring/row-assembler.js";
import { ScratchArrays } from "./scoring/scratch-arrays.js";

/** Fetches item feature rows (aligned with `itemIds`) for the given views. */
export interface ItemFeatureSource {
  fetch(views: string[], itemIds: string[], deadline: number, signal?: AbortSignal): Promise<Map<string, FeatureRows>>;
  /** The caller no longer reads rows this source answered (a source that lends its blocks takes them back). */
  release?(rows: ReadonlyMap<string, FeatureRows>): void;
}

export interface RankInput {
  userId: string;
  userFeatures: ReadonlyMap<string, FeatureRows>;
  itemIds: string[];
  /** Item features the caller already has; other views are hydrated. */
  itemFeatures: ReadonlyMap<string, FeatureRows>;
  model?: { name?: string; version?: string };
  deadline: number;
  signal?: AbortSignal;
}

export interface RankOutput {
  scores: Float32Array;
  order: Uint32Array;
  model: { name: string; version: string };
  defaultedItems: number;
  nonFiniteItems: number;
  provider: ExecutionProvider;
  /** Item features could not be hydrated; registry defaults were used. */
  hydrationFailed: boolean;
}

export interface RankerLimits {
  maxCandidates: number;
}

/**
 * Scores candidates for one user with one model version: lease the model,
 * hydrate the item views the caller did not send (defaults when the feature
 * service fails), build the input tensor, score through the dynamic batcher,
 * and return finite scores in input order plus the best-first order. The
 * model input is built in a reused buffer, given back once the model has run.
 */
export class Ranker {
  private readonly scratch = new ScratchArrays();

  constructor(
    private readonly models: ModelTable<ServingModel>,
    private readonly itemSource: ItemFeatureSource,
    private readonly recent: RecentInputs,
    private readonly limits: RankerLimits,
    private readonly onHydrationFailure: (err: unknown) => void = () => undefined,
  ) {}

  async rank(input: RankInput): Promise<RankOutput> {
    const count = input.itemIds.length;
    if (count === 0) throw new InvalidArgumentError("item_ids", "must not be empty");
    if (count > this.limits.maxCandidates) {
      throw new InvalidArgumentError("item_ids", `${count} candidates exceed the limit of ${this.limits.maxCandidates}`);
    }
    checkRows("user_features", input.userFeatures, 1);
    checkRows("item_features", input.itemFeatures, count);

    const lease = this.models.acquire(input.model);
    try {
      const model = lease.model;
      const missing = model.plan.item.map((s) => s.view.name).filter((v) => !input.itemFeatures.has(v));
      let hydrated = new Map<string, FeatureRows>();
      let hydrationFailed = false;
      if (missing.length > 0) {
        try {
          hydrated = await this.itemSource.fetch(missing, input.itemIds, input.deadline, input.signal);
        } catch (err) {
          hydrationFailed = true;
          this.onHydrationFailure(err);
        }
      }
      const items = hydrated.size === 0 ? input.itemFeatures : new Map([...input.itemFeatures, ...hydrated]);
      const assembled = assembleRows(model.plan, input.userFeatures, items, count, this.scratch.floats(count * model.plan.width));
      this.recent.record({ user: input.userFeatures, items, count });
      this.itemSource.release?.(hydrated);
      let scores: Float32Array;
      try {
        scores = await model.score(assembled.input, count);
      } finally {
        this.scratch.release(assembled.input);
      }
      const final = finalizeScores(scores);
      return {
        scores: final.scores,
        order: final.order,
        model: { name: lease.name, version: lease.version },
        defaultedItems: assembled.defaultedItems,
        nonFiniteItems: final.nonFinite,
        provider: model.provider,
        hydrationFailed,
      };
    } finally {
      lease.release();
    }
  }
}

function checkRows(field: string, blocks: ReadonlyMap<string, FeatureRows>, rows: number): void {
  for (const block of blocks.values()) {
    if (block.rows !== rows) throw new InvalidArgumentError(`${field}[${block.view}]`, `has ${block.rows} rows, expected ${rows}`);
    if (block.values.length !== block.rows * block.width) {
      throw new InvalidArgumentError(`${field}[${block.view}]`, `holds ${block.values.length} values, expected ${block.rows * block.width}`);
    }
  }
}
