import { RankingServiceClient } from "../../../gen/recmesh/ranking/v1/ranking_service.js";
import { createClient } from "../../../services/kit/grpc/client-factory.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { DynamicBatcher } from "../../../services/ranking/scoring/dynamic-batcher.js";
import { closedLoop, interleaved, mergeResults, type LoadResult } from "../load-generator.js";
import { phaseResult, type PhaseResult } from "../phase-result.js";
import { CANDIDATES, cycle, type RankWorkload } from "../rank-workload.js";
import { rawSession, type ThreadSettings } from "../raw-onnx-session.js";
import { callDeadline } from "../suite-clients.js";
import type { SuiteSettings } from "../suite-settings.js";
import type { ExtraInstance, SuiteStack } from "../suite-stack.js";

export interface RankingVariant extends ThreadSettings {
  batching: boolean;
}

export interface VariantResult {
  variant: RankingVariant;
  result: PhaseResult;
}

export interface BatcherResult extends VariantResult {
  /** Rows per submitted call. */
  rows: number;
}

export interface RankingResults {
  callers: number;
  /** Slices of `sliceMs` each variant got in rotation. */
  slices: number;
  sliceMs: number;
  /** Rank through one ranking service instance per setting, at `callers` concurrent callers. */
  service: VariantResult[];
  /** One raw session.run of 500 rows per thread setting, one caller, interleaved. */
  raw: VariantResult[];
  /** The service's DynamicBatcher over a raw session, `callers` concurrent submitters of 500 and of 50 rows: on and off. */
  batcher: BatcherResult[];
}

const DEFAULT: RankingVariant = { batching: true, intraOpThreads: 1, allowSpinning: false };
/** A small scoring call (a RankStream chunk, a short candidate list), where per-run overhead dominates. */
const SMALL_CALL_ROWS = 50;
const SLICE_MS = 1_000;

export function variantLabel(v: RankingVariant): string {
  return `batching ${v.batching ? "on" : "off"}, ${v.intraOpThreads} intra-op thread${v.intraOpThreads > 1 ? "s" : ""}, spinning ${v.allowSpinning ? "on" : "off"}`;
}

function variantEnv(v: RankingVariant): Record<string, string> {
  return {
    RECMESH_RANKING_MAX_BATCH_ROWS: v.batching ? "4096" : "0",
    RECMESH_RANKING_INTRA_OP_THREADS: String(v.intraOpThreads),
    RECMESH_RANKING_ALLOW_SPINNING: String(v.allowSpinning),
  };
}

/**
 * Dynamic batching on vs off (RECMESH_RANKING_MAX_BATCH_ROWS=0) and intra-op
 * threads 1 vs 2 with spinning off/on: one extra ranking service process per
 * setting, started like the stack's, all driven in rotating one-second slices
 * at the same number of concurrent Rank callers so that every setting sees the
 * same background load; then the same comparisons on a raw session.
 */
export async function rankingPhase(stack: SuiteStack, workload: RankWorkload, settings: SuiteSettings, say: (line: string) => void): Promise<RankingResults> {
  const callers = settings.rankingCallers;
  const variants: RankingVariant[] =
    settings.rankingVariants === "all"
      ? [DEFAULT, { ...DEFAULT, batching: false }, { ...DEFAULT, intraOpThreads: 2 }, { ...DEFAULT, allowSpinning: true }, { ...DEFAULT, intraOpThreads: 2, allowSpinning: true }]
      : [DEFAULT, { ...DEFAULT, batching: false }];
  const instances: ExtraInstance[] = [];
  const clients: RankingServiceClient[] = [];
  const slices = Math.max(1, Math.round(settings.rankingVariantMs / SLICE_MS));
  const runs: LoadResult[][] = variants.map(() => []);
  try {
    for (const [i, variant] of variants.entries()) {
      const instance = await stack.startExtra("ranking", `variant-${i}`, variantEnv(variant));
      instances.push(instance);
      clients.push(createClient(RankingServiceClient, instance.address, { maxMessageBytes: 64 * 1024 * 1024 }));
    }
    const load = (client: RankingServiceClient) => (n: number) => unaryCall(client.rank.bind(client), cycle(workload.requests, n), { deadline: callDeadline() });
    for (const client of clients) await closedLoop(load(client), { concurrency: callers, durationMs: 2_000 });
    for (let s = 0; s < slices; s++) {
      for (let k = 0; k < clients.length; k++) {
        const i = (s + k) % clients.length;
        runs[i]?.push(await closedLoop(load(clients[i] as RankingServiceClient), { concurrency: callers, durationMs: SLICE_MS }));
      }
    }
  } finally {
    for (const c of clients) c.close();
    for (const instance of instances) await instance.stop();
  }
  const service = variants.map((variant, i) => ({ variant, result: phaseResult(mergeResults(runs[i] ?? [])) }));
  for (const v of service) say(`  ${variantLabel(v.variant)}: ${(v.result.throughput * CANDIDATES).toFixed(0)} items/s, p50 ${v.result.latency.p50.toFixed(1)} ms, errors ${v.result.errors}`);

  const threadSettings = variants.filter((v) => v.batching);
  const sessions = await Promise.all(threadSettings.map((v) => rawSession(workload.modelBytes, workload.contract, v)));
  try {
    const rawRuns = await interleaved(
      sessions.map((s) => (n: number) => s.run(cycle(workload.inputs, n), CANDIDATES)),
      { durationMs: settings.rankingVariantMs, warmupMs: 1_000 },
    );
    const raw = rawRuns.map((r, i) => ({ variant: threadSettings[i] ?? DEFAULT, result: phaseResult(r) }));
    const session = sessions[0];
    if (!session) throw new Error("no raw session");
    const batcher: BatcherResult[] = [];
    for (const rows of [CANDIDATES, SMALL_CALL_ROWS]) {
      for (const batching of [true, false]) {
        const b = new DynamicBatcher((input, n) => session.run(input, n), {
          width: workload.contract.input.width,
          maxBatchRows: batching ? 4096 : 0,
          maxWaitMicros: 0,
        });
        const submit = (n: number) => b.submit(cycle(workload.inputs, n), rows);
        await closedLoop(submit, { concurrency: callers, durationMs: 1_000 });
        const result = phaseResult(await closedLoop(submit, { concurrency: callers, durationMs: settings.rankingVariantMs / 4 }));
        batcher.push({ variant: { ...DEFAULT, batching }, rows, result });
      }
    }
    return { callers, slices, sliceMs: SLICE_MS, service, raw, batcher };
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}
