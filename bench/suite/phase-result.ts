import { percentileCurve, type LatencySummary } from "./latency-histogram.js";
import type { LoadResult, OpenLoopResult } from "./load-generator.js";
import type { CpuShares } from "./process-cpu.js";

/** One measured phase, as the report and the chart need it (plain data, so a worker process can send it). */
export interface PhaseResult {
  latency: LatencySummary;
  curve: { percentile: number; ms: number }[];
  completed: number;
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  throughput: number;
  /** Open loop only: the arrival rate and how late the generator itself sent calls. */
  ratePerSec?: number;
  sendLagP99Ms?: number;
  /** Answers that reported a fallback, and how often each component was named. */
  degraded?: Degraded;
  /** Cores each process used during the run. */
  cpu?: CpuShares;
}

export interface Degraded {
  answers: number;
  components: Record<string, number>;
}

export function phaseResult(r: LoadResult | OpenLoopResult, degraded?: Degraded): PhaseResult {
  return {
    latency: r.latency,
    curve: percentileCurve(r.histogram),
    completed: r.completed,
    errors: r.errors,
    errorSamples: r.errorSamples,
    elapsedMs: r.elapsedMs,
    throughput: r.throughput,
    ...("ratePerSec" in r ? { ratePerSec: r.ratePerSec, sendLagP99Ms: r.sendLag.p99 } : {}),
    ...(degraded ? { degraded } : {}),
  };
}

/** Counts answers with a non-empty degraded list, and the components named in them. */
export class DegradedCounter {
  private answers = 0;
  private components: Record<string, number> = {};

  add(components: readonly string[]): void {
    if (components.length === 0) return;
    this.answers++;
    for (const c of components) this.components[c] = (this.components[c] ?? 0) + 1;
  }

  /** This phase's counts; the counter starts again from zero. */
  take(): Degraded {
    const taken = { answers: this.answers, components: this.components };
    this.answers = 0;
    this.components = {};
    return taken;
  }
}
