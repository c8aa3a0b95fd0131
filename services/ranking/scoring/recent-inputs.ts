import type { FeatureRows } from "./feature-rows.js";

/** The features of one recent call, kept to warm a new model up on real traffic. */
export interface RecentInput {
  user: ReadonlyMap<string, FeatureRows>;
  items: ReadonlyMap<string, FeatureRows>;
  count: number;
}

/** Once the ring is full, at most one call per this many ms is copied into it. */
const SAMPLE_INTERVAL_MS = 250;

/**
 * A small ring of copies of recent calls' features. A call's blocks are
 * reused once it has been scored, so the ring keeps its own copies, and at
 * most one per `minIntervalMs` once full: a sample of traffic is what a warm-up
 * needs, and copying every call would bring back the allocations the pools
 * remove.
 */
export class RecentInputs {
  private readonly ring: RecentInput[] = [];
  private next = 0;
  private lastAt = -Infinity;

  constructor(
    private readonly capacity: number,
    private readonly minIntervalMs = SAMPLE_INTERVAL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  record(input: RecentInput): void {
    if (this.capacity === 0) return;
    const now = this.clock();
    if (this.ring.length === this.capacity && now - this.lastAt < this.minIntervalMs) return;
    this.lastAt = now;
    this.ring[this.next] = { user: copied(input.user), items: copied(input.items), count: input.count };
    this.next = (this.next + 1) % this.capacity;
  }

  all(): RecentInput[] {
    return [...this.ring];
  }
}

function copied(blocks: ReadonlyMap<string, FeatureRows>): Map<string, FeatureRows> {
  return new Map([...blocks].map(([view, b]) => [view, { ...b, values: b.values.slice(), statuses: b.statuses.slice() }]));
}
