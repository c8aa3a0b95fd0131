import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newestProfile, summarizeProfile, type ProfileSummary } from "../cpu-profile.js";
import type { RecommenderServiceClient } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import type { ServiceName } from "../../../services/kit/config/ports.js";
import { closedLoop } from "../load-generator.js";
import { DegradedCounter, phaseResult, type PhaseResult } from "../phase-result.js";
import { measureCpu } from "../process-cpu.js";
import { recommendCall } from "./recommend-phase.js";
import type { SuiteSettings } from "../suite-settings.js";
import type { SuiteStack } from "../suite-stack.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface ProfileResults {
  /** The service profiled. */
  service: ServiceName;
  /** The saturation run while the service was profiled (slower than unprofiled). */
  run: PhaseResult;
  summary: ProfileSummary;
  file: string;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Restarts one service (the recommender unless told otherwise) under
 * `node --cpu-prof`, drives Recommend at the saturation concurrency, then
 * restarts it normally (the profile is written as the profiled process exits)
 * and summarises the samples of the measured window only: V8 stamps them with
 * the same monotonic clock as process.hrtime.
 */
export async function profilePhase(
  stack: SuiteStack,
  client: RecommenderServiceClient,
  users: string[],
  settings: SuiteSettings,
  service: ServiceName = "recommender",
): Promise<ProfileResults> {
  const degraded = new DegradedCounter();
  const recommend = recommendCall(client, users, degraded);
  const dir = join(stack.dataDir, "profile");
  mkdirSync(dir, { recursive: true });
  await stack.restart(service, { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
  let run: PhaseResult;
  let window: { fromUs: number; toUs: number };
  try {
    await closedLoop(recommend, { concurrency: settings.saturationConcurrency, durationMs: 3_000 });
    degraded.take();
    const fromUs = nowUs();
    const cpu = measureCpu({ ...stack.pids(), "load generator": process.pid });
    const result = await closedLoop(recommend, { concurrency: settings.saturationConcurrency, durationMs: settings.profileMs });
    run = { ...phaseResult(result, degraded.take()), cpu: cpu.stop() };
    window = { fromUs, toUs: nowUs() };
  } finally {
    await stack.restart(service);
  }
  const file = newestProfile(dir);
  if (!file) throw new Error(`the profiled ${service} wrote no profile into ${dir}`);
  return { service, run, summary: summarizeProfile(file, REPO_ROOT, window, 15), file };
}
