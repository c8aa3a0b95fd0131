import * as hdr from "hdr-histogram-js";

export interface Percentiles {
  /** Microseconds. */
  p50: number;
  p99: number;
  n: number;
}

/** Rounds of every body run before measuring starts (fewer when fewer are measured). */
export const WARMUP_ITERATIONS = 200;

/**
 * Times each body `iterations` times after a warm-up, interleaving the bodies
 * (rotating which goes first) so that on a shared machine every measurement
 * sees the same background load and their ratios stay fair.
 */
export async function measureInterleaved(iterations: number, ...bodies: (() => Promise<unknown>)[]): Promise<Percentiles[]> {
  const histograms = bodies.map(() => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }));
  const warmup = Math.min(WARMUP_ITERATIONS, iterations);
  for (let i = 0; i < warmup + iterations; i++) {
    for (let k = 0; k < bodies.length; k++) {
      const j = (i + k) % bodies.length;
      const start = process.hrtime.bigint();
      await bodies[j]?.();
      if (i >= warmup) histograms[j]?.recordValue(Number(process.hrtime.bigint() - start) / 1000);
    }
  }
  return histograms.map((h) => ({ p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), n: iterations }));
}
