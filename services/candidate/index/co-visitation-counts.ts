/** Co-visitation counts as serialised in a snapshot: per anchor item, its neighbours and weights. */
export interface CoVisitationState {
  anchors: Int32Array;
  /** Offsets into neighbours/weights: anchor i owns [offsets[i], offsets[i+1]). */
  offsets: Int32Array;
  neighbours: Int32Array;
  weights: Float64Array;
  /** Per anchor: Σ weight of everything that followed it, evicted neighbours included. */
  totals: Float64Array;
}

/**
 * How often users went on to item j right after item i (directed), with at
 * most `capacity` neighbours kept per item. A new neighbour of a full item
 * replaces the weakest and inherits its weight (the space-saving heavy-hitters
 * rule), so frequent successors are kept with bounded memory.
 */
export class CoVisitationCounts {
  private readonly out = new Map<number, Map<number, number>>();
  private readonly totals = new Map<number, number>();

  constructor(private readonly capacity: number) {}

  static restore(capacity: number, state: CoVisitationState): CoVisitationCounts {
    const counts = new CoVisitationCounts(capacity);
    state.anchors.forEach((anchor, i) => {
      const row = new Map<number, number>();
      for (let j = state.offsets[i] as number; j < (state.offsets[i + 1] as number); j++) {
        row.set(state.neighbours[j] as number, state.weights[j] as number);
      }
      counts.out.set(anchor, row);
      counts.totals.set(anchor, state.totals[i] as number);
    });
    return counts;
  }

  add(from: number, to: number, weight: number): void {
    if (from === to || !(weight > 0)) return;
    let row = this.out.get(from);
    if (!row) this.out.set(from, (row = new Map()));
    const current = row.get(to);
    if (current !== undefined) {
      row.set(to, current + weight);
    } else if (row.size < this.capacity) {
      row.set(to, weight);
    } else {
      let weakest = -1;
      let weakestWeight = Infinity;
      for (const [label, w] of row) if (w < weakestWeight) [weakest, weakestWeight] = [label, w];
      row.delete(weakest);
      row.set(to, weakestWeight + weight);
    }
    this.totals.set(from, (this.totals.get(from) ?? 0) + weight);
  }

  /** Neighbours of `from` with their weights (unordered). */
  neighbours(from: number): ReadonlyMap<number, number> | undefined {
    return this.out.get(from);
  }

  /** Σ weight of everything that followed `from`, evicted neighbours included. */
  total(from: number): number {
    return this.totals.get(from) ?? 0;
  }

  export(): CoVisitationState {
    const anchors = new Int32Array(this.out.size);
    const offsets = new Int32Array(this.out.size + 1);
    let size = 0;
    for (const row of this.out.values()) size += row.size;
    const neighbours = new Int32Array(size);
    const weights = new Float64Array(size);
    const totals = new Float64Array(this.out.size);
    let i = 0;
    let j = 0;
    for (const [anchor, row] of this.out) {
      anchors[i] = anchor;
      offsets[i] = j;
      totals[i] = this.total(anchor);
      for (const [label, w] of row) {
        neighbours[j] = label;
        weights[j++] = w;
      }
      i++;
    }
    offsets[i] = j;
    return { anchors, offsets, neighbours, weights, totals };
  }
}
