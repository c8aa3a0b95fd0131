import type { FeatureRegistry, FeatureView } from "../registry/feature-registry.js";
import {
  ACTIVITY_WINDOWS,
  INTERACTION_COLUMNS,
  POPULARITY_WEIGHTS,
  RATING_TASTE_PIVOT,
  TASTE_WEIGHTS,
} from "../registry/feature-views.js";
import { decayFactor } from "./decay.js";
import type { InteractionHappened, InteractionKind } from "./feature-events.js";
import { advanceRow } from "./row-clock.js";
import { cloneRow, emptyRow, type StoredRow } from "./stored-row.js";

interface DecayedColumn {
  column: number;
  halfLifeHours: number;
}

/** How one interaction changes user_activity, item_stats and user_taste. Pure: rows in, new rows out. */
export class InteractionRules {
  readonly activityView: FeatureView;
  readonly statsView: FeatureView;
  readonly tasteView: FeatureView;
  readonly contentView: FeatureView;
  private readonly activityCounters: Map<InteractionKind, DecayedColumn[]>;
  private readonly totalInteractions: number;
  private readonly statsCounters: Map<InteractionKind, DecayedColumn[]>;
  private readonly popularity: DecayedColumn;
  private readonly statsTotals: Map<InteractionKind, number>;
  private readonly taste: { embedding: number; affinity: number; dimension: number; buckets: number };
  private readonly content: { embedding: number; category: number };
  private readonly tasteWeights: { embedding: number; category: number; halfLifeHours: number };

  constructor(registry: FeatureRegistry) {
    const need = (name: string) => {
      const view = registry.find(name);
      if (!view) throw new Error(`the interaction rules need feature view "${name}"`);
      return view;
    };
    this.activityView = need("user_activity");
    this.statsView = need("item_stats");
    this.tasteView = need("user_taste");
    this.contentView = need("item_content");
    const decayed = (view: FeatureView, name: string): DecayedColumn => {
      const f = view.features.find((x) => x.name === name);
      if (f?.readTime?.kind !== "decay") throw new Error(`${view.name}:${name} is not a decayed feature`);
      return { column: f.offset, halfLifeHours: f.readTime.halfLifeHours };
    };
    const kinds = Object.keys(INTERACTION_COLUMNS) as InteractionKind[];
    this.activityCounters = new Map(
      kinds.map((k) => [k, ACTIVITY_WINDOWS.map((w) => decayed(this.activityView, `${INTERACTION_COLUMNS[k]}_${w.suffix}`))]),
    );
    this.totalInteractions = registry.column("user_activity", "total_interactions");
    const statsNames: Partial<Record<InteractionKind, string[]>> = {
      view: ["views_1d", "views_7d"],
      click: ["clicks_1d", "clicks_7d"],
      purchase: ["purchases_7d"],
    };
    this.statsCounters = new Map(kinds.map((k) => [k, (statsNames[k] ?? []).map((n) => decayed(this.statsView, n))]));
    this.popularity = decayed(this.statsView, "popularity");
    this.statsTotals = new Map([
      ["view", registry.column("item_stats", "total_views")],
      ["click", registry.column("item_stats", "total_clicks")],
    ]);
    const tasteEmbedding = this.tasteView.features.find((f) => f.name === "embedding");
    const affinity = this.tasteView.features.find((f) => f.name === "category_affinity");
    const category = this.contentView.features.find((f) => f.name === "category_hash");
    if (!tasteEmbedding || !affinity || !category) throw new Error("user_taste or item_content lacks its shared features");
    this.taste = { embedding: tasteEmbedding.offset, affinity: affinity.offset, dimension: tasteEmbedding.dimension, buckets: affinity.dimension };
    this.content = { embedding: registry.column("item_content", "embedding"), category: category.offset };
    const slot = (name: string) => {
      const index = this.tasteView.state.findIndex((s) => s.name === name);
      if (index < 0) throw new Error(`user_taste lacks the state slot "${name}"`);
      return index;
    };
    this.tasteWeights = {
      embedding: slot("embedding_weight"),
      category: slot("category_weight"),
      halfLifeHours: this.tasteView.state[slot("embedding_weight")]?.halfLifeHours ?? 1,
    };
  }

  /** user_activity after the event: decayed counters of its type, total, recency. */
  activity(row: StoredRow | undefined, ev: InteractionHappened): StoredRow {
    const next = row ? cloneRow(row) : emptyRow(this.activityView, ev.timeMs);
    const lag = advanceRow(this.activityView, next, ev.timeMs);
    for (const c of this.activityCounters.get(ev.interaction) ?? []) addDecayed(next, c, 1, lag);
    next.values[this.totalInteractions] = (next.values[this.totalInteractions] ?? 0) + 1;
    next.sequence = ev.sequence;
    return next;
  }

  /** item_stats after the event: decayed views/clicks/purchases, popularity, totals, recency. */
  itemStats(row: StoredRow | undefined, ev: InteractionHappened): StoredRow {
    const next = row ? cloneRow(row) : emptyRow(this.statsView, ev.timeMs);
    const lag = advanceRow(this.statsView, next, ev.timeMs);
    for (const c of this.statsCounters.get(ev.interaction) ?? []) addDecayed(next, c, 1, lag);
    addDecayed(next, this.popularity, POPULARITY_WEIGHTS[ev.interaction], lag);
    const total = this.statsTotals.get(ev.interaction);
    if (total !== undefined) next.values[total] = (next.values[total] ?? 0) + 1;
    next.sequence = ev.sequence;
    return next;
  }

  /**
   * user_taste after the event: the decayed weighted means of the item's
   * embedding and category one-hot, each with its own running weight (an item
   * without an embedding or category leaves that mean alone). Undefined when
   * the event does not change the taste (no weight, or the item is unknown).
   */
  userTaste(row: StoredRow | undefined, ev: InteractionHappened, item: StoredRow | undefined): StoredRow | undefined {
    const weight = tasteWeight(ev);
    if (weight <= 0 || !item) return undefined;
    const next = row ? cloneRow(row) : emptyRow(this.tasteView, ev.timeMs);
    const lag = advanceRow(this.tasteView, next, ev.timeMs);
    const w = weight * decayFactor(lag, this.tasteWeights.halfLifeHours);
    const { dimension, buckets } = this.taste;
    const { embedding, category } = this.tasteWeights;
    if (hasSignal(item.values, this.content.embedding, dimension)) {
      next.state[embedding] = blend(next.values, this.taste.embedding, item.values, this.content.embedding, dimension, next.state[embedding] ?? 0, w);
    }
    if (hasSignal(item.values, this.content.category, buckets)) {
      next.state[category] = blend(next.values, this.taste.affinity, item.values, this.content.category, buckets, next.state[category] ?? 0, w);
    }
    next.sequence = ev.sequence;
    return next;
  }
}

function tasteWeight(ev: InteractionHappened): number {
  return ev.interaction === "rating" ? Math.max(0, ev.value - RATING_TASTE_PIVOT) : TASTE_WEIGHTS[ev.interaction];
}

function addDecayed(row: StoredRow, c: DecayedColumn, amount: number, lagMs: number): void {
  row.values[c.column] = (row.values[c.column] ?? 0) + amount * decayFactor(lagMs, c.halfLifeHours);
}

function hasSignal(values: Float32Array, offset: number, length: number): boolean {
  for (let i = offset; i < offset + length; i++) if (values[i] !== 0) return true;
  return false;
}

/** Moves the weighted mean at `to` (backed by `weight`) towards `source` by `w`; returns the new weight. */
function blend(target: Float32Array, to: number, source: Float32Array, from: number, length: number, weight: number, w: number): number {
  const total = weight + w;
  for (let i = 0; i < length; i++) {
    target[to + i] = ((target[to + i] ?? 0) * weight + w * (source[from + i] ?? 0)) / total;
  }
  return total;
}
