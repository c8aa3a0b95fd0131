import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ManagedProcess } from "../../../services/kit/infra/managed-process.js";
import type { FloorResults, FloorSettings } from "../in-process/floor-worker.js";
import { MODEL_DIR } from "../rank-workload.js";
import type { SuiteSettings } from "../suite-settings.js";
import type { SuiteStack } from "../suite-stack.js";

const WORKER = fileURLToPath(new URL("../in-process/floor-worker.ts", import.meta.url));

/**
 * The in-process Recommend floor, in its own process against the stack's
 * NATS, Redis and candidate snapshot: one caller, the same saturation
 * concurrency and the 300 req/s open loop, as measured through the stack.
 */
export async function floorPhase(stack: SuiteStack, settings: SuiteSettings, openLoopRate: number): Promise<FloorResults> {
  const dir = mkdtempSync(join(tmpdir(), "recmesh-floor-"));
  const out = join(dir, "floor.json");
  const floor: FloorSettings = {
    natsUrl: stack.infra.natsUrl,
    redisUrl: stack.infra.redisUrl,
    candidateSnapshotDir: join(stack.dataDir, "candidate"),
    modelDir: MODEL_DIR,
    worldDir: stack.worldDir,
    warmupMs: settings.warmupMs,
    sequentialMs: settings.recommendSequentialMs,
    saturationMs: settings.saturationMs,
    concurrency: settings.saturationConcurrency,
    openLoopRate,
    openLoopMs: settings.openLoopMs,
    pids: { "nats-server": stack.infra.nats?.process.pid, "redis-server": stack.infra.redis?.process.pid },
  };
  const worker = new ManagedProcess("floor", process.execPath, ["--import", "tsx", WORKER, "--settings", JSON.stringify(floor), "--out", out], join(dir, "floor.log"));
  const budgetMs = 120_000 + floor.warmupMs + floor.sequentialMs + floor.saturationMs + floor.openLoopMs;
  try {
    const code = await Promise.race([worker.exited, new Promise<"timeout">((r) => setTimeout(r, budgetMs, "timeout").unref())]);
    if (code !== 0) throw new Error(`the in-process floor ${code === "timeout" ? `did not finish in ${budgetMs} ms` : `exited with ${code}`}:\n${worker.outputTail()}`);
    return JSON.parse(readFileSync(out, "utf8")) as FloorResults;
  } finally {
    await worker.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}
