import type { FeatureRows } from "./feature-rows.js";

/** The features of one recent call, kept to warm a new model up on real traffic. */
export interface RecentInput {
  user: ReadonlyMap<string, FeatureRows>;
  items: ReadonlyMap<string, FeatureRows>;
  count: number;
}

/** A small ring of recent calls' features. */
export class RecentInputs {
  private readonly ring: RecentInput[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  record(input: RecentInput): void {
    if (this.capacity === 0) return;
    this.ring[this.next] = input;
    this.next = (this.next + 1) % this.capacity;
  }

  all(): RecentInput[] {
    return [...this.ring];
  }
}
