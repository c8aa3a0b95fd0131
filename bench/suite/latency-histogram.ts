import * as hdr from "hdr-histogram-js";

export type Histogram = hdr.Histogram;

/** Latencies in microseconds, 1 µs to 2 min, 3 significant digits. */
export function latencyHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

/** Percentiles of one histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

const ms = (us: number) => us / 1000;

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/** Percentiles a latency-vs-percentile chart plots (evenly spaced in log(1/(1-p))). */
export const CURVE_PERCENTILES = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99] as const;

/** The latency (ms) at each of CURVE_PERCENTILES, for the chart. */
export function percentileCurve(h: Histogram): { percentile: number; ms: number }[] {
  if (h.totalCount === 0) return [];
  return CURVE_PERCENTILES.map((p) => ({ percentile: p, ms: ms(p === 0 ? h.minNonZeroValue : h.getValueAtPercentile(p)) }));
}
