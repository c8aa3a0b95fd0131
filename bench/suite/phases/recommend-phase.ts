import { DegradedComponent, RecommendRequest, type RecommenderServiceClient } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { setTimeout as sleep } from "node:timers/promises";
import { closedLoop, openLoop, type Call, type LoadResult } from "../load-generator.js";
import { DegradedCounter, phaseResult, type PhaseResult } from "../phase-result.js";
import { measureCpu } from "../process-cpu.js";
import type { SuiteSettings } from "../suite-settings.js";
import { callDeadline } from "../suite-clients.js";

export interface RecommendResults {
  /** Callers of the saturation run. */
  concurrency: number;
  sequential: PhaseResult;
  saturation: PhaseResult;
  openLoop: PhaseResult[];
}

/** Gentle enough for the stack on a shared 2-core machine: warms every path without overloading it. */
const WARMUP_RATE = 50;

const componentName = (d: DegradedComponent) => DegradedComponent[d].replace("DEGRADED_COMPONENT_", "").toLowerCase();

/** Recommend(user, 20, home) through the front door, cycling through the world's users; counts degraded answers. */
export function recommendCall(client: RecommenderServiceClient, users: string[], degraded: DegradedCounter): Call {
  return async (n) => {
    const request = RecommendRequest.fromPartial({ userId: users[n % users.length] ?? "", count: 20, surface: "home" });
    const res = await unaryCall(client.recommend.bind(client), request, { deadline: callDeadline() });
    degraded.add(res.degraded.map(componentName));
  };
}

/**
 * A gentle open-loop warm-up, one caller back to back, each open-loop rate in
 * ascending order, then saturation at fixed concurrency — overload last, as a
 * front door that has shed load takes a while to widen again. The CPU every
 * process used is recorded for each run.
 */
export async function recommendPhase(
  client: RecommenderServiceClient,
  users: string[],
  pids: () => Record<string, number | undefined>,
  settings: SuiteSettings,
  say: (line: string) => void,
): Promise<RecommendResults> {
  const degraded = new DegradedCounter();
  const call = recommendCall(client, users, degraded);
  const measured = async (run: () => Promise<LoadResult>): Promise<PhaseResult> => {
    await sleep(settings.settleMs);
    degraded.take();
    const cpu = measureCpu({ ...pids(), "load generator": process.pid });
    const result = await run();
    return { ...phaseResult(result, degraded.take()), cpu: cpu.stop() };
  };
  say(`  warm-up: ${settings.warmupMs / 1000} s at ${WARMUP_RATE} req/s`);
  await openLoop(call, { ratePerSec: WARMUP_RATE, durationMs: settings.warmupMs });
  const sequential = await measured(() => closedLoop(call, { concurrency: 1, durationMs: settings.recommendSequentialMs }));
  say(`  1 caller: p50 ${sequential.latency.p50.toFixed(2)} ms, p99 ${sequential.latency.p99.toFixed(2)} ms`);
  const open: PhaseResult[] = [];
  for (const rate of settings.openLoopRates) {
    const r = await measured(() => openLoop(call, { ratePerSec: rate, durationMs: settings.openLoopMs }));
    say(`  ${rate} req/s open loop: p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, errors ${r.errors}`);
    open.push(r);
  }
  const saturation = await measured(() => closedLoop(call, { concurrency: settings.saturationConcurrency, durationMs: settings.saturationMs }));
  say(`  ${settings.saturationConcurrency} callers: ${saturation.throughput.toFixed(0)} req/s, p50 ${saturation.latency.p50.toFixed(1)} ms, errors ${saturation.errors}`);
  return { concurrency: settings.saturationConcurrency, sequential, saturation, openLoop: open };
}
