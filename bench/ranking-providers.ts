/**
 * The demo model's ranking on each execution provider, in one process (not a
 * test). For each provider named, the ranking service's own loader says where
 * the model landed (a GPU provider that falls back to CPU is reported with the
 * reason and not measured), then:
 *  - Rank's floor, one raw session.run of the 500 × 159 input on that
 *    provider, and Ranker.rank of 500 cached candidates (model input assembly,
 *    inference through the dynamic batcher, ordering; no RPC), alternated call
 *    by call, p50/p99 and the ratio of the p50s;
 *  - throughput at --callers concurrent callers, dynamic batching on vs off,
 *    for inference alone (the DynamicBatcher over session.run) and for the
 *    whole Ranker.rank, each pair measured back to back.
 *
 *   node --import tsx bench/ranking-providers.ts [--providers cpu,cuda,webgpu] [--calls 2000] [--callers 32] [--seconds 5] [--max-batch-rows 4096]
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import ort from "onnxruntime-node";
import { pino } from "pino";
import { EXECUTION_PROVIDERS, type ExecutionProvider } from "../services/ranking/model/serving-model.js";
import { DynamicBatcher } from "../services/ranking/scoring/dynamic-batcher.js";
import { assembleRows } from "../services/ranking/scoring/row-assembler.js";
import { CANDIDATES, demoItemRows } from "./ranking/demo-item-rows.js";
import { demoRanker } from "./suite/in-process/demo-ranker.js";
import { latencyHistogram, summarize, type Histogram } from "./suite/latency-histogram.js";
import { MODEL_DIR } from "./suite/rank-workload.js";
import { rawSession } from "./suite/raw-onnx-session.js";

const { values: args } = parseArgs({
  options: {
    providers: { type: "string", default: "cpu,cuda,webgpu" },
    calls: { type: "string", default: "2000" },
    callers: { type: "string", default: "32" },
    seconds: { type: "string", default: "5" },
    "max-batch-rows": { type: "string", default: "4096" },
  },
});
const providers = (args.providers ?? "").split(",").map((p) => {
  const known = EXECUTION_PROVIDERS.find((e) => e === p.trim());
  if (!known) throw new Error(`--providers: "${p}" is not one of ${EXECUTION_PROVIDERS.join(", ")}`);
  return known;
});
const CALLS = Number(args.calls);
const CALLERS = Number(args.callers);
const SECONDS = Number(args.seconds);
const MAX_BATCH_ROWS = Number(args["max-batch-rows"]);
const WARMUP = 200;

const fixture = await demoItemRows();
const { contract, modelBytes, layouts, plan, user, cache, candidates } = fixture;
const { input } = assembleRows(plan, user, await cache.fetch(fixture.itemViews, candidates(0), Infinity), CANDIDATES);
const logger = pino({ level: "warn" });
const threads = { intraOpThreads: 1, allowSpinning: false };
const rankerEnv = (provider: ExecutionProvider, batching: boolean) => ({
  RECMESH_RANKING_PROVIDER: provider,
  RECMESH_RANKING_MAX_BATCH_ROWS: batching ? String(MAX_BATCH_ROWS) : "0",
});
const rankCall = (ranker: Awaited<ReturnType<typeof demoRanker>>["ranker"], n: number) =>
  ranker.rank({ userId: "u", userFeatures: user, itemIds: candidates(n), itemFeatures: new Map(), deadline: Infinity });

const ms = (h: Histogram) => summarize(h);
const fmt = (v: number) => v.toFixed(3);
const out = (line: string) => process.stdout.write(`${line}\n`);

async function timedPair(floor: () => Promise<unknown>, rank: (n: number) => Promise<unknown>) {
  for (let n = 0; n < WARMUP; n++) {
    await floor();
    await rank(n);
  }
  const floorH = latencyHistogram();
  const rankH = latencyHistogram();
  for (let n = 0; n < CALLS; n++) {
    let start = process.hrtime.bigint();
    await floor();
    floorH.recordValue(Number(process.hrtime.bigint() - start) / 1000);
    start = process.hrtime.bigint();
    await rank(n);
    rankH.recordValue(Number(process.hrtime.bigint() - start) / 1000);
  }
  return { floor: ms(floorH), rank: ms(rankH) };
}

/** Items per second from `callers` loops calling `call` until the time is up, and the mean rows per inference run. */
async function throughput(call: (n: number) => Promise<unknown>, batches = { rows: 0, runs: 0 }) {
  for (let n = 0; n < WARMUP / 10; n++) await Promise.all(Array.from({ length: CALLERS }, (_, c) => call(n * CALLERS + c)));
  batches.rows = 0;
  batches.runs = 0;
  const started = process.hrtime.bigint();
  const until = started + BigInt(SECONDS * 1e9);
  let done = 0;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, c) => {
      for (let n = c; process.hrtime.bigint() < until; n += CALLERS) {
        await call(n);
        done++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { itemsPerSecond: (done * CANDIDATES) / seconds, rowsPerRun: batches.runs > 0 ? batches.rows / batches.runs : 0 };
}

out(`onnxruntime-node ${ort.env.versions.node ?? "?"}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}; demo model ${contract.name}/${contract.version}, ${CANDIDATES} × ${plan.width} input`);
out(`${CALLS} alternated calls after ${WARMUP} warm-up; throughput: ${CALLERS} callers × ${SECONDS} s per setting, batching on = at most ${MAX_BATCH_ROWS} rows per run, no wait window`);

for (const requested of providers) {
  const batched = await demoRanker(MODEL_DIR, layouts, cache, logger, rankerEnv(requested, true));
  out(`\n## ${requested}: model loaded on ${batched.provider}${batched.fallbackReason ? ` (fallback: ${batched.fallbackReason})` : ""}`);
  if (batched.provider !== requested) {
    await batched.close();
    continue;
  }
  const unbatched = await demoRanker(MODEL_DIR, layouts, cache, logger, rankerEnv(requested, false));
  const raw = await rawSession(modelBytes, contract, threads, requested);

  const single = await timedPair(() => raw.run(input, CANDIDATES), (n) => rankCall(batched.ranker, n));
  out("\n| one caller, 500 candidates | p50 ms | p99 ms |\n|---|---|---|");
  out(`| raw session.run (floor) | ${fmt(single.floor.p50)} | ${fmt(single.floor.p99)} |`);
  out(`| Ranker.rank (no RPC) | ${fmt(single.rank.p50)} | ${fmt(single.rank.p99)} |`);
  out(`| ratio of p50s | ${(single.rank.p50 / single.floor.p50).toFixed(2)}× | |`);

  const batches = { rows: 0, runs: 0 };
  const countBatch = (s: { rows: number }) => {
    batches.rows += s.rows;
    batches.runs++;
  };
  const batcherOn = new DynamicBatcher((x, rows) => raw.run(x, rows), { width: plan.width, maxBatchRows: MAX_BATCH_ROWS, maxWaitMicros: 0 }, countBatch);
  const batcherOff = new DynamicBatcher((x, rows) => raw.run(x, rows), { width: plan.width, maxBatchRows: 0, maxWaitMicros: 0 }, countBatch);
  const inferOn = await throughput(() => batcherOn.submit(input, CANDIDATES), batches);
  const inferOff = await throughput(() => batcherOff.submit(input, CANDIDATES), batches);
  const rankOn = await throughput((n) => rankCall(batched.ranker, n));
  const rankOff = await throughput((n) => rankCall(unbatched.ranker, n));
  out(`\n| ${CALLERS} callers | batching on, items/s | batching off, items/s | on / off |\n|---|---|---|---|`);
  out(`| inference alone (DynamicBatcher over session.run) | ${Math.round(inferOn.itemsPerSecond)} (${Math.round(inferOn.rowsPerRun)} rows per run) | ${Math.round(inferOff.itemsPerSecond)} | ${(inferOn.itemsPerSecond / inferOff.itemsPerSecond).toFixed(2)}× |`);
  out(`| Ranker.rank (no RPC) | ${Math.round(rankOn.itemsPerSecond)} | ${Math.round(rankOff.itemsPerSecond)} | ${(rankOn.itemsPerSecond / rankOff.itemsPerSecond).toFixed(2)}× |`);

  await raw.release();
  await batched.close();
  await unbatched.close();
}
