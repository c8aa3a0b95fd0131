export interface CandidateBudgetSettings {
  /** Candidates ranked when the front door is comfortable. */
  max: number;
  /** Never rank fewer than this. */
  min: number;
  /** Latency the front door aims to stay under (ms); above it the budget shrinks. */
  targetMs: number;
  /** Weight of the newest latency in the moving average. */
  smoothing: number;
}

const WARMUP_REQUESTS = 20;

/**
 * Narrows work under sustained latency pressure before anything fails: an
 * exponentially weighted latency above target shrinks the number of candidates
 * ranked multiplicatively; comfortably below target it grows back additively
 * (AIMD, as TCP does with its window).
 */
export class CandidateBudget {
  private average = 0;
  private observed = 0;
  private current: number;

  constructor(private readonly settings: CandidateBudgetSettings) {
    this.current = settings.max;
  }

  /** Candidates to ask for and rank now. */
  get size(): number {
    return this.current;
  }

  get narrowed(): boolean {
    return this.current < this.settings.max;
  }

  get averageMs(): number {
    return this.average;
  }

  observe(latencyMs: number): void {
    const s = this.settings;
    // The first requests of a cold process pay for connections and JIT compilation: not load.
    if (++this.observed <= WARMUP_REQUESTS) return;
    this.average = s.smoothing * latencyMs + (1 - s.smoothing) * this.average;
    if (this.average > s.targetMs) this.current = Math.max(s.min, Math.floor(this.current * 0.8));
    else if (this.average < 0.7 * s.targetMs) this.current = Math.min(s.max, this.current + Math.ceil(s.max / 50));
  }
}
