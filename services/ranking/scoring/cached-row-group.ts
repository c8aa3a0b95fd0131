import { copyRow } from "./copy-row.js";
import type { FeatureRows } from "./feature-rows.js";

const FIRST_CAPACITY = 1024;

/** Version and width of one view's rows in a group. */
export interface RowLayout {
  viewVersion: number;
  width: number;
}

/**
 * Cached item rows of the views one call asks for together, fetched together:
 * one slot per item (one map lookup per candidate whatever the number of views)
 * and one slab per view holding its row at slot × width — three typed arrays
 * per view instead of a small object per row for the collector to trace. Slots
 * are reused least recently fetched first (the map's insertion order, renewed
 * on every store).
 */
export class CachedRowGroup {
  private readonly slots = new Map<string, number>();
  private values: Float32Array[];
  private statuses: Uint8Array[];
  private fetchedAtMs: Float64Array;

  constructor(
    readonly layouts: readonly RowLayout[],
    private readonly maxRows: number,
  ) {
    const capacity = Math.min(FIRST_CAPACITY, maxRows);
    this.values = layouts.map((l) => new Float32Array(capacity * l.width));
    this.statuses = layouts.map(() => new Uint8Array(capacity));
    this.fetchedAtMs = new Float64Array(capacity);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The slot of an item whose rows were fetched at or after `fetchedSince`, or -1. */
  freshSlot(id: string, fetchedSince: number): number {
    const slot = this.slots.get(id);
    return slot !== undefined && (this.fetchedAtMs[slot] as number) >= fetchedSince ? slot : -1;
  }

  /** When the slot's rows were fetched. */
  fetchedAt(slot: number): number {
    return this.fetchedAtMs[slot] as number;
  }

  /** Copies the slot's row of view `v` into row `row` of `target` (a block of that view). */
  copyTo(v: number, slot: number, target: FeatureRows, row: number): void {
    const w = (this.layouts[v] as RowLayout).width;
    copyRow(this.values[v] as Float32Array, slot * w, target.values, row * w, w);
    target.statuses[row] = (this.statuses[v] as Uint8Array)[slot] as number;
  }

  /** Keeps row `row` of each view's fetched rows (in layout order) as the item's rows, fetched at `now`. */
  store(id: string, fetched: readonly FeatureRows[], row: number, now: number): void {
    if (this.maxRows <= 0) return;
    const slot = this.claim(id);
    for (let v = 0; v < fetched.length; v++) {
      const rows = fetched[v] as FeatureRows;
      const w = rows.width;
      copyRow(rows.values, row * w, this.values[v] as Float32Array, slot * w, w);
      (this.statuses[v] as Uint8Array)[slot] = rows.statuses[row] ?? 0;
    }
    this.fetchedAtMs[slot] = now;
  }

  private claim(id: string): number {
    const held = this.slots.get(id);
    if (held !== undefined) {
      this.slots.delete(id);
      this.slots.set(id, held);
      return held;
    }
    let slot = this.slots.size;
    if (slot >= this.maxRows) {
      const [oldest, freed] = this.slots.entries().next().value as [string, number];
      this.slots.delete(oldest);
      slot = freed;
    } else if (slot >= this.fetchedAtMs.length) this.grow();
    this.slots.set(id, slot);
    return slot;
  }

  private grow(): void {
    const capacity = Math.min(this.maxRows, this.fetchedAtMs.length * 2);
    this.values = this.values.map((old, v) => grown(old, capacity * (this.layouts[v] as RowLayout).width, Float32Array));
    this.statuses = this.statuses.map((old) => grown(old, capacity, Uint8Array));
    this.fetchedAtMs = grown(this.fetchedAtMs, capacity, Float64Array);
  }
}

function grown<T extends Float32Array | Uint8Array | Float64Array>(old: T, length: number, Kind: new (n: number) => T): T {
  const next = new Kind(length);
  next.set(old);
  return next;
}
