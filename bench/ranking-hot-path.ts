/**
 * The ranking service's per-call JavaScript work in one process (not a test):
 * the item cache answering 500 candidates from cached rows, building the
 * 500 × 159 model input, and ordering the scores, for the demo model's real
 * input plan over the feature registry: the part of a Rank that is this
 * repository's code. Then the whole Ranker.rank over the same cache, with the
 * demo model's inference (no RPC). Each step also reports the garbage
 * collection it caused: main-thread pause per call and full (mark-compact)
 * collections per 1,000 calls.
 *
 *   node --import tsx bench/ranking-hot-path.ts [--calls 4000]
 */
import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { pino } from "pino";
import type { FeatureRows } from "../services/ranking/scoring/feature-rows.js";
import { finalizeScores } from "../services/ranking/scoring/finalize-scores.js";
import { assembleRows } from "../services/ranking/scoring/row-assembler.js";
import { CANDIDATES, demoItemRows } from "./ranking/demo-item-rows.js";
import { demoRanker } from "./suite/in-process/demo-ranker.js";
import { MODEL_DIR } from "./suite/rank-workload.js";

const { values: args } = parseArgs({ options: { calls: { type: "string", default: "4000" } } });
const CALLS = Number(args.calls);

const { layouts, plan, itemViews, user, cache, random, candidates } = await demoItemRows();
const requests = Array.from({ length: CALLS }, (_, n) => candidates(n));
const scores = new Float32Array(CANDIDATES).map(random);

const gcEntries: PerformanceEntry[] = [];
new PerformanceObserver((list) => gcEntries.push(...list.getEntries())).observe({ entryTypes: ["gc"] });
/** GC entries arrive after the collection, on a later turn of the event loop. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

async function timed(label: string, body: (n: number) => unknown): Promise<void> {
  for (let n = 0; n < Math.min(500, CALLS); n++) await body(n);
  await settled();
  gcEntries.length = 0;
  const start = process.hrtime.bigint();
  for (let n = 0; n < CALLS; n++) await body(n);
  const us = Number(process.hrtime.bigint() - start) / CALLS / 1000;
  await settled();
  const pauseUs = (gcEntries.reduce((sum, e) => sum + e.duration, 0) * 1000) / CALLS;
  const major = gcEntries.filter((e) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR).length;
  process.stdout.write(`| ${label} | ${us.toFixed(1)} µs | ${pauseUs.toFixed(1)} µs | ${((major * 1000) / CALLS).toFixed(1)} |\n`);
}

let items = new Map<string, FeatureRows>();
process.stdout.write(
  `${CALLS} calls of ${CANDIDATES} candidates, model input ${plan.width} floats wide, item views ${itemViews.join(", ")}; mean per call:\n\n| step | per call | GC pause per call | full GCs per 1,000 calls |\n|---|---|---|---|\n`,
);
// Each call hands the previous call's blocks back, as Ranker.rank does once it has assembled its input.
await timed("item cache: every candidate cached (fresh id strings)", async (n) => {
  cache.release(items);
  items = await cache.fetch(itemViews, requests[n] as string[], Infinity);
});
await timed("model input assembly (assembleRows)", () => assembleRows(plan, user, items, CANDIDATES));
await timed("scores made safe and ordered (finalizeScores)", () => finalizeScores(scores));

const demo = await demoRanker(MODEL_DIR, layouts, cache, pino({ level: "silent" }));
await timed("whole Ranker.rank: cached rows, assembly, demo model inference, ordering", (n) =>
  demo.ranker.rank({ userId: "u", userFeatures: user, itemIds: requests[n] as string[], itemFeatures: new Map(), deadline: Infinity }),
);
await demo.close();

