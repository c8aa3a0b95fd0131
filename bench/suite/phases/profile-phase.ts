import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newestProfile, summarizeProfile, type ProfileSummary } from "../cpu-profile.js";
import type { RecommenderServiceClient } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { closedLoop } from "../load-generator.js";
import { DegradedCounter, phaseResult, type PhaseResult } from "../phase-result.js";
import { measureCpu } from "../process-cpu.js";
import { recommendCall } from "./recommend-phase.js";
import type { SuiteSettings } from "../suite-settings.js";
import type { SuiteStack } from "../suite-stack.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface ProfileResults {
  /** The saturation run while the recommender was profiled (slower than unprofiled). */
  run: PhaseResult;
  summary: ProfileSummary;
  file: string;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Restarts the recommender under `node --cpu-prof`, drives it at the
 * saturation concurrency, then restarts it normally (the profile is written as
 * the profiled process exits) and summarises the samples of the measured
 * window only: V8 stamps them with the same monotonic clock as process.hrtime.
 */
export async function profilePhase(stack: SuiteStack, client: RecommenderServiceClient, users: string[], settings: SuiteSettings): Promise<ProfileResults> {
  const degraded = new DegradedCounter();
  const recommend = recommendCall(client, users, degraded);
  const dir = join(stack.dataDir, "profile");
  mkdirSync(dir, { recursive: true });
  await stack.restart("recommender", { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
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
    await stack.restart("recommender");
  }
  const file = newestProfile(dir);
  if (!file) throw new Error(`the profiled recommender wrote no profile into ${dir}`);
  return { run, summary: summarizeProfile(file, REPO_ROOT, window, 15), file };
}
