import { TopList } from "./top-list.js";

const HOUR_MS = 3_600_000;

export interface PopularitySettings {
  halfLifeHours: number;
  /** Items kept ranked, globally and per category (at least the k limit plus room for filtered ones). */
  capacity: number;
}

/** log2(2^a + 2^b) without overflow. */
function log2Add(a: number, b: number): number {
  if (a === -Infinity) return b;
  const hi = Math.max(a, b);
  return hi + Math.log2(1 + 2 ** (Math.min(a, b) - hi));
}

/**
 * Time-decayed popularity, globally and per category. Each item keeps one key,
 * log2 Σ weight·2^(t / halfLife) over its interactions: the decayed score at
 * any time `now` is 2^(key − now / halfLife), so the ranking never changes with
 * the passing of time, only with events, and the key of an event is the same
 * whenever it is applied (replays give the same state). Keys only grow, which
 * keeps the ranked lists exact under incremental updates.
 */
export class DecayedPopularity {
  private keys: Float64Array;
  private readonly global: TopList;
  private readonly byCategory = new Map<string, TopList>();
  private readonly halfLifeMs: number;

  constructor(
    private readonly settings: PopularitySettings,
    keys: Float64Array = new Float64Array(1024).fill(-Infinity),
  ) {
    this.keys = keys;
    this.halfLifeMs = settings.halfLifeHours * HOUR_MS;
    this.global = new TopList(settings.capacity);
  }

  /** Rebuilds the ranked lists from saved keys and each label's category. */
  static restore(settings: PopularitySettings, keys: Float64Array, categoryOf: (label: number) => string): DecayedPopularity {
    const popularity = new DecayedPopularity(settings, keys);
    const ranked: number[] = [];
    for (let label = 0; label < keys.length; label++) if ((keys[label] as number) > -Infinity) ranked.push(label);
    ranked.sort((a, b) => (keys[b] as number) - (keys[a] as number) || a - b);
    for (const label of ranked) {
      const key = keys[label] as number;
      if (popularity.global.size < settings.capacity) popularity.global.offer(label, key);
      const list = popularity.listFor(categoryOf(label));
      if (list && list.size < settings.capacity) list.offer(label, key);
    }
    return popularity;
  }

  add(label: number, category: string, weight: number, timeMs: number): void {
    if (!(weight > 0)) return;
    this.ensure(label);
    const key = log2Add(this.keys[label] as number, Math.log2(weight) + timeMs / this.halfLifeMs);
    this.keys[label] = key;
    this.global.offer(label, key);
    this.listFor(category)?.offer(label, key);
  }

  /** Moves an item between category lists; the list it left is refilled from `labelsOfPrevious`. */
  recategorise(label: number, previous: string, next: string, labelsOfPrevious: () => Iterable<number>): void {
    const key = this.key(label);
    if (key === -Infinity || previous === next) return;
    const old = this.byCategory.get(previous);
    if (old?.remove(label)) {
      const refilled = new TopList(this.settings.capacity);
      for (const l of labelsOfPrevious()) if (l !== label && this.key(l) > -Infinity) refilled.offer(l, this.key(l));
      this.byCategory.set(previous, refilled);
    }
    this.listFor(next)?.offer(label, key);
  }

  key(label: number): number {
    return label < this.keys.length ? (this.keys[label] as number) : -Infinity;
  }

  /** Decayed score of a key at `nowMs`. */
  scoreAt(key: number, nowMs: number): number {
    return 2 ** (key - nowMs / this.halfLifeMs);
  }

  /** Ranked labels with their keys, best first; one category or all. */
  ranked(category: string | undefined): Iterable<{ label: number; key: number }> {
    if (category === undefined) return this.global.entries();
    return this.byCategory.get(category)?.entries() ?? [];
  }

  export(): Float64Array {
    return this.keys.slice();
  }

  private listFor(category: string): TopList | undefined {
    if (!category) return undefined;
    let list = this.byCategory.get(category);
    if (!list) this.byCategory.set(category, (list = new TopList(this.settings.capacity)));
    return list;
  }

  private ensure(label: number): void {
    if (label < this.keys.length) return;
    const grown = new Float64Array(Math.max(label + 1, this.keys.length * 2)).fill(-Infinity);
    grown.set(this.keys);
    this.keys = grown;
  }
}
