import { scrape } from "./admin-metrics.js";

const STATE_NAMES = ["closed", "half-open", "open"] as const;
export type BreakerStateName = (typeof STATE_NAMES)[number];

/**
 * Samples the recommender's recmesh_breaker_state gauges while a scenario runs,
 * so a breaker that opened and closed again between two looks is still seen:
 * for each dependency, the states it went through in order.
 */
export class BreakerWatch {
  private readonly history = new Map<string, BreakerStateName[]>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;

  constructor(
    private readonly adminUrl: string,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sample();
  }

  /** States seen for a dependency, consecutive repeats collapsed (e.g. closed → open → half-open → closed). */
  transitions(dependency: string): BreakerStateName[] {
    return this.history.get(dependency) ?? [];
  }

  /** Short form for reports: first and last state and how often the breaker opened. */
  describe(dependency: string): string {
    const states = this.transitions(dependency);
    const opens = states.filter((s) => s === "open").length;
    return states.length === 0 ? "not seen" : `${states[0]}→…→${states.at(-1)} (opened ${opens}×)`;
  }

  opened(dependency: string): boolean {
    return this.transitions(dependency).includes("open");
  }

  last(dependency: string): BreakerStateName | undefined {
    return this.transitions(dependency).at(-1);
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      // The recommender itself may be down (that scenario); such a look is skipped.
      const samples = await scrape(this.adminUrl, 1_000).catch(() => []);
      for (const s of samples) {
        if (s.name !== "recmesh_breaker_state") continue;
        const dependency = s.labels.dependency ?? "";
        const state = STATE_NAMES[s.value] ?? "closed";
        const seen = this.history.get(dependency) ?? [];
        if (seen.at(-1) !== state) seen.push(state);
        this.history.set(dependency, seen);
      }
    } finally {
      this.sampling = false;
    }
  }
}
