import { setTimeout as sleep } from "node:timers/promises";
import { latencyHistogram, summarize, type Histogram, type LatencySummary } from "./latency-histogram.js";

/** One unit of work (a request); rejects on failure. `n` numbers the calls from 0. */
export type Call = (n: number) => Promise<unknown>;

export interface LoadResult {
  latency: LatencySummary;
  histogram: Histogram;
  completed: number;
  errors: number;
  /** A few distinct error messages, for the report. */
  errorSamples: string[];
  elapsedMs: number;
  /** Completed calls per second over the whole run. */
  throughput: number;
}

export interface OpenLoopResult extends LoadResult {
  ratePerSec: number;
  /** How late the generator sent calls after their intended time (its own timer jitter), ms. */
  sendLag: LatencySummary;
}

class Outcomes {
  readonly histogram = latencyHistogram();
  completed = 0;
  errors = 0;
  readonly errorSamples = new Set<string>();

  ok(micros: number): void {
    this.completed++;
    this.histogram.recordValue(Math.max(1, Math.round(micros)));
  }

  failed(err: unknown): void {
    this.errors++;
    if (this.errorSamples.size < 5) this.errorSamples.add(err instanceof Error ? err.message.slice(0, 200) : String(err));
  }

  result(elapsedMs: number): LoadResult {
    return {
      latency: summarize(this.histogram),
      histogram: this.histogram,
      completed: this.completed,
      errors: this.errors,
      errorSamples: [...this.errorSamples],
      elapsedMs,
      throughput: (this.completed / elapsedMs) * 1000,
    };
  }
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Closed loop: `concurrency` callers, each sending its next call as soon as the
 * previous one finished, until `durationMs` has passed (saturation: the
 * throughput the system sustains at that concurrency).
 */
export async function closedLoop(call: Call, options: { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const out = new Outcomes();
  const start = nowUs();
  const end = start + options.durationMs * 1000;
  let n = 0;
  const worker = async () => {
    while (nowUs() < end) {
      const sent = nowUs();
      try {
        await call(n++);
        out.ok(nowUs() - sent);
      } catch (err) {
        out.failed(err);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return out.result((nowUs() - start) / 1000);
}

/**
 * Open loop at a fixed arrival rate: call i is due at start + i/rate whatever
 * happened to earlier calls, and its latency is recorded from that intended
 * time, not from when it was actually sent — so a stall of the system (or of
 * the generator) is charged to every call that should have gone out during it
 * (no coordinated omission, as wrk2 does it). Calls still in flight at the end
 * are awaited.
 */
export async function openLoop(call: Call, options: { ratePerSec: number; durationMs: number }): Promise<OpenLoopResult> {
  const out = new Outcomes();
  const lag = latencyHistogram();
  const total = Math.max(1, Math.round((options.ratePerSec * options.durationMs) / 1000));
  const intervalUs = 1e6 / options.ratePerSec;
  const start = nowUs();
  const inFlight = new Set<Promise<void>>();
  const fire = (n: number, intended: number) => {
    const sent = nowUs();
    lag.recordValue(Math.max(1, sent - intended));
    const p = call(n).then(
      () => out.ok(nowUs() - intended),
      (err: unknown) => out.failed(err),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  let n = 0;
  while (n < total) {
    const now = nowUs();
    while (n < total && start + n * intervalUs <= now) {
      fire(n, start + n * intervalUs);
      n++;
    }
    if (n < total) {
      // setTimeout has millisecond resolution: sleep to just before the next due call, never spin.
      const waitUs = start + n * intervalUs - nowUs();
      await sleep(Math.max(0, Math.floor(waitUs / 1000)));
    }
  }
  await Promise.all(inFlight);
  return { ...out.result((nowUs() - start) / 1000), ratePerSec: options.ratePerSec, sendLag: summarize(lag) };
}

/** Several runs of the same load as one: histograms added, counts summed, throughput over their summed time. */
export function mergeResults(results: LoadResult[]): LoadResult {
  const histogram = latencyHistogram();
  for (const r of results) histogram.add(r.histogram);
  const completed = results.reduce((n, r) => n + r.completed, 0);
  const elapsedMs = results.reduce((n, r) => n + r.elapsedMs, 0);
  return {
    latency: summarize(histogram),
    histogram,
    completed,
    errors: results.reduce((n, r) => n + r.errors, 0),
    errorSamples: [...new Set(results.flatMap((r) => r.errorSamples))].slice(0, 5),
    elapsedMs,
    throughput: (completed / elapsedMs) * 1000,
  };
}

/**
 * Runs bodies in rotation, one at a time, for `durationMs` after `warmupMs`:
 * measurements that are compared with each other (a service and its floor)
 * then see the same background load on a shared machine.
 */
export async function interleaved(bodies: Call[], options: { durationMs: number; warmupMs: number }): Promise<LoadResult[]> {
  const outs = bodies.map(() => new Outcomes());
  const warmEnd = nowUs() + options.warmupMs * 1000;
  let n = 0;
  while (nowUs() < warmEnd) for (const body of bodies) await body(n++).catch(() => undefined);
  const start = nowUs();
  const end = start + options.durationMs * 1000;
  const busyUs = bodies.map(() => 0);
  for (let i = 0; nowUs() < end; i++) {
    for (let k = 0; k < bodies.length; k++) {
      const j = (i + k) % bodies.length;
      const sent = nowUs();
      try {
        await bodies[j]?.(n++);
        const took = nowUs() - sent;
        outs[j]?.ok(took);
        busyUs[j] = (busyUs[j] ?? 0) + took;
      } catch (err) {
        outs[j]?.failed(err);
      }
    }
  }
  // Each body's throughput is what one caller gets back to back: calls per second of its own busy time.
  return outs.map((o, j) => ({ ...o.result((nowUs() - start) / 1000), throughput: o.completed / ((busyUs[j] ?? 1) / 1e6) }));
}
