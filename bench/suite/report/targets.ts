import type { PhaseResult } from "../phase-result.js";
import type { ThroughputFigure } from "../phases/track-phase.js";
import type { SuiteResults } from "./suite-results.js";

export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

const num = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const times = (v: number) => `${v.toFixed(2)}×`;
const degraded = (r: PhaseResult) => r.degraded?.answers ?? 0;

/** The targets of issue 9 (and the ranking issue's two) that this run's phases can judge. */
export function targets(r: SuiteResults): Target[] {
  const list: Target[] = [];
  const rec = r.recommend;
  const at300 = rec?.openLoop.find((o) => o.ratePerSec === 300);
  if (at300) {
    const note = degraded(at300) > 0 ? ` (${num.format(degraded(at300))} of ${num.format(at300.completed)} answers degraded)` : "";
    list.push({ target: "Recommend p50 ≤ 5 ms at 300 req/s (open loop)", measured: ms(at300.latency.p50) + note, met: at300.latency.p50 <= 5 });
    list.push({ target: "Recommend p99 ≤ 25 ms at 300 req/s (open loop)", measured: ms(at300.latency.p99), met: at300.latency.p99 <= 25 });
  }
  if (rec) {
    const sat = rec.saturation;
    const d = degraded(sat);
    list.push({
      target: "Recommend saturation ≥ 700 req/s with no errors",
      measured: `${num.format(sat.throughput)} req/s at ${rec.concurrency} callers, ${sat.errors} errors${d > 0 ? `, ${num.format(d)} of ${num.format(sat.completed)} answers degraded` : ""}`,
      met: sat.throughput >= 700 && sat.errors === 0,
    });
  }
  if (rec && r.floor) {
    const ratio = rec.sequential.latency.p50 / r.floor.sequential.latency.p50;
    list.push({ target: "Recommend p50 ≤ 2× the in-process floor (1 caller each)", measured: times(ratio), met: ratio <= 2 });
  }
  if (r.track) {
    list.push({ target: "Track ≥ 5,000 interactions/s unary", measured: `${num.format(r.track.unary.throughput)}/s`, met: r.track.unary.throughput >= 5_000 });
    list.push({ target: "Track ≥ 20,000 interactions/s over a client stream", measured: `${num.format(r.track.stream.perSecond)}/s`, met: r.track.stream.perSecond >= 20_000 });
  }
  if (r.freshness) {
    list.push({ target: "event-to-feature freshness p99 ≤ 100 ms", measured: ms(r.freshness.visible.latency.p99), met: r.freshness.visible.latency.p99 <= 100 });
  }
  for (const rank of r.services?.filter((f) => f.name.startsWith("Rank")) ?? []) {
    if (!rank.floor) continue;
    const ratio = rank.service.latency.p50 / rank.floor.latency.p50;
    const cache = rank.name.includes("item cache off") ? "item cache off" : "item cache on";
    list.push({ target: `Rank (500 candidates, ${cache}) p50 within 3× of raw session.run (ranking issue)`, measured: times(ratio), met: ratio <= 3 });
  }
  const on = r.ranking?.service.find((v) => v.variant.batching && v.variant.intraOpThreads === 1 && !v.variant.allowSpinning);
  const off = r.ranking?.service.find((v) => !v.variant.batching);
  if (r.ranking && on && off) {
    const ratio = on.result.throughput / off.result.throughput;
    list.push({ target: `Rank throughput with dynamic batching on / off at ${r.ranking.callers} callers ≥ 1.5× (ranking issue)`, measured: times(ratio), met: ratio >= 1.5 });
  }
  const errors = allPhases(r).reduce((n, p) => n + p.errors, 0);
  list.push({ target: "zero errors during every run", measured: `${errors} errors`, met: errors === 0 });
  return list;
}

function allPhases(r: SuiteResults): (PhaseResult | ThroughputFigure)[] {
  return [
    ...(r.recommend ? [r.recommend.sequential, r.recommend.saturation, ...r.recommend.openLoop] : []),
    ...(r.floor ? [r.floor.sequential, r.floor.saturation, r.floor.openLoop] : []),
    ...(r.services ?? []).flatMap((f) => [f.service, ...(f.floor ? [f.floor] : [])]),
    ...(r.ranking ? [...r.ranking.service, ...r.ranking.raw, ...r.ranking.batcher].map((v) => v.result) : []),
    ...(r.freshness ? [r.freshness.visible] : []),
    ...(r.session ? [r.session.update] : []),
    ...(r.track ? [r.track.unary, r.track.stream, r.track.unaryFloor, r.track.streamFloor] : []),
  ];
}
