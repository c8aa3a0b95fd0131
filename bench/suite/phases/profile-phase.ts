import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newestProfile, summarizeProfile, type ProfileSummary, type ProfileWindow } from "../cpu-profile.js";
import type { RecommenderServiceClient } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import type { ServiceName } from "../../../services/kit/config/ports.js";
import { closedLoop } from "../load-generator.js";
import { DegradedCounter, phaseResult, type PhaseResult } from "../phase-result.js";
import { measureCpu } from "../process-cpu.js";
import { recommendCall } from "./recommend-phase.js";
import type { SuiteSettings } from "../suite-settings.js";
import type { SuiteStack } from "../suite-stack.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** One profiled service's samples in the measured window. */
export interface ServiceProfile {
  service: ServiceName;
  summary: ProfileSummary;
  file: string;
}

export interface ProfileResults {
  /** Recommend callers, back to back, while profiling. */
  concurrency: number;
  /** The run while the services were profiled (slower than unprofiled). */
  run: PhaseResult;
  profiles: ServiceProfile[];
  /** The measured window, on the profiles' clock. */
  window: ProfileWindow;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Restarts the given services under `node --cpu-prof` (all of them profiled
 * at once, so their shares come from the same traffic), drives Recommend with
 * `concurrency` callers back to back, then restarts them normally (a profile is
 * written as its process exits) and summarises the samples of the measured
 * window only: V8 stamps them with the same monotonic clock as process.hrtime.
 * At the saturation concurrency every answer is degraded and, with five
 * profilers slowing the stack, the breakers stay open, so the profile would
 * show the fallbacks; one caller shows where a full Recommend's time goes.
 */
export async function profilePhase(
  stack: SuiteStack,
  client: RecommenderServiceClient,
  users: string[],
  settings: SuiteSettings,
  services: readonly ServiceName[],
  concurrency: number,
): Promise<ProfileResults> {
  const degraded = new DegradedCounter();
  const recommend = recommendCall(client, users, degraded);
  const dirs = new Map(services.map((service) => [service, join(stack.dataDir, "profile", service)]));
  let run: PhaseResult;
  let window: ProfileWindow;
  try {
    for (const [service, dir] of dirs) {
      mkdirSync(dir, { recursive: true });
      await stack.restart(service, { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
    }
    await closedLoop(recommend, { concurrency, durationMs: 3_000 });
    degraded.take();
    const fromUs = nowUs();
    const cpu = measureCpu({ ...stack.pids(), "load generator": process.pid });
    const result = await closedLoop(recommend, { concurrency, durationMs: settings.profileMs });
    run = { ...phaseResult(result, degraded.take()), cpu: cpu.stop() };
    window = { fromUs, toUs: nowUs() };
  } finally {
    for (const service of dirs.keys()) await stack.restart(service);
  }
  return {
    concurrency,
    run,
    window,
    profiles: [...dirs].map(([service, dir]) => {
      const file = newestProfile(dir);
      if (!file) throw new Error(`the profiled ${service} wrote no profile into ${dir}`);
      return { service, summary: summarizeProfile(file, REPO_ROOT, window, 15), file };
    }),
  };
}
