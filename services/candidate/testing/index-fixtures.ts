import { HnswVectorIndex, type HnswSettings } from "../adapters/hnsw-vector-index.js";
import { CandidateIndex, type IndexSettings } from "../index/candidate-index.js";
import type { IndexEvent, InteractionKind } from "../index/index-events.js";
import { DEFAULT_INTERACTION_WEIGHTS } from "../index/interaction-weights.js";

export const DIM = 32;
export const T0 = Date.UTC(2025, 5, 1);

export const INDEX_SETTINGS: IndexSettings = {
  popularity: { halfLifeHours: 24, capacity: 100 },
  history: { recentItems: 10, seenItems: 100, windowMs: 30 * 60_000 },
  coVisitationNeighbours: 20,
  weights: DEFAULT_INTERACTION_WEIGHTS,
};

export const ANN_SETTINGS: HnswSettings = { dimension: DIM, m: 16, efConstruction: 100, efSearch: 64, initialCapacity: 4 };

/** A unit vector along `axis`, tilted towards `towards` by `tilt`. */
export function direction(axis: number, towards = (axis + 1) % DIM, tilt = 0): Float32Array {
  const v = new Float32Array(DIM);
  v[axis] = 1;
  v[towards] = (v[towards] ?? 0) + tilt;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export function newIndex(): CandidateIndex {
  return new CandidateIndex(INDEX_SETTINGS, HnswVectorIndex.create(ANN_SETTINGS));
}

export const item = (itemId: string, category: string, embedding?: Float32Array, available = true): IndexEvent => ({
  kind: "item",
  itemId,
  category,
  available,
  embedding,
});

export const interaction = (userId: string, itemId: string, minutes: number, kind: InteractionKind = "click"): IndexEvent => ({
  kind: "interaction",
  userId,
  itemId,
  interaction: kind,
  timeMs: T0 + minutes * 60_000,
});

/** Applies events at sequences 1, 2, ... (or from `first`). */
export function applyAll(index: CandidateIndex, events: readonly IndexEvent[], first = 1): void {
  events.forEach((e, i) => index.apply(first + i, e));
}
