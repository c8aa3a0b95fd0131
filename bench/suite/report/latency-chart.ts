import type { FloorResults } from "../in-process/floor-worker.js";
import type { PhaseResult } from "../phase-result.js";
import type { RecommendResults } from "../phases/recommend-phase.js";
import type { RunInfo } from "./suite-results.js";
import { logTicks, svgDocument, type Panel, type Series } from "./svg-chart.js";

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
const color = (i: number) => COLORS[i % COLORS.length] ?? "#000";

/** The nearest 1, 2 or 5 × 10^k below (or above) v: log-axis bounds that hug the data. */
function niceStep(v: number, direction: "up" | "down"): number {
  const e = Math.floor(Math.log10(v));
  const steps = [1, 2, 5, 10].map((m) => m * 10 ** e);
  return direction === "up" ? (steps.find((s) => s >= v) ?? 10 ** (e + 1)) : ([...steps].reverse().find((s) => s <= v) ?? 10 ** e);
}

/** Percentile p on an axis that spreads the tail: log10(1 / (1 - p)). */
const tail = (p: number) => Math.log10(1 / (1 - Math.min(p, 99.99) / 100));

function curve(label: string, c: string, r: PhaseResult, dashed = false): Series {
  return { label, color: c, dashed, points: r.curve.map((p) => ({ x: tail(p.percentile), y: p.ms })) };
}

/**
 * Two panels: Recommend latency by percentile (the stack at each open-loop
 * rate and with one caller; the in-process floor dashed), and p50/p99 by
 * arrival rate.
 */
export function recommendLatencyChart(rec: RecommendResults, floor: FloorResults | undefined, info: RunInfo): string {
  const open = rec.openLoop;
  const series: Series[] = [...open.map((o, i) => curve(`stack, ${o.ratePerSec} req/s open loop`, color(i), o)), curve("stack, 1 caller", color(4), rec.sequential)];
  if (floor) {
    series.push(curve(`in-process floor, ${floor.openLoop.ratePerSec} req/s open loop`, color(1), floor.openLoop, true));
    series.push(curve("in-process floor, 1 caller", color(4), floor.sequential, true));
  }
  const all = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => Number.isFinite(y) && y > 0);
  const minMs = Math.max(0.1, niceStep(Math.min(...all), "down"));
  const maxMs = niceStep(Math.max(...all), "up");
  const yAxis = { label: "latency (ms, log scale)", min: minMs, max: maxMs, log: true, ticks: logTicks(minMs, maxMs, "ms") };
  const byPercentile: Panel = {
    title: "Recommend latency by percentile",
    x: { label: "percentile (tail spread out)", min: 0, max: tail(99.99), ticks: [0, 50, 90, 99, 99.9, 99.99].map((p) => ({ value: tail(p), label: `${p}%` })) },
    y: yAxis,
    series,
  };
  const rates = open.map((o) => o.ratePerSec ?? 0);
  const rateSeries: Series[] = [
    { label: "stack p50", color: color(0), points: open.map((o) => ({ x: o.ratePerSec ?? 0, y: o.latency.p50 })) },
    { label: "stack p99", color: color(3), points: open.map((o) => ({ x: o.ratePerSec ?? 0, y: o.latency.p99 })) },
  ];
  if (floor) {
    const x = floor.openLoop.ratePerSec ?? 0;
    rateSeries.push({ label: "in-process floor p50", color: color(0), dashed: true, points: [{ x, y: floor.openLoop.latency.p50 }] });
    rateSeries.push({ label: "in-process floor p99", color: color(3), dashed: true, points: [{ x, y: floor.openLoop.latency.p99 }] });
  }
  const byRate: Panel = {
    title: "Recommend p50 / p99 by arrival rate (open loop)",
    x: { label: "arrival rate (req/s)", min: 0, max: Math.max(...rates) * 1.1, ticks: rates.map((v) => ({ value: v, label: String(v) })) },
    y: yAxis,
    series: rateSeries,
  };
  return svgDocument([byPercentile, byRate], `${info.date} · commit ${info.commit} · ${info.machine} · load average ${info.loadCheck.after.toFixed(2)} when measuring began`);
}
