/**
 * Runs the in-process Recommend floor in its own process (so it never shares
 * an event loop with the suite's load generator) and writes its phases as JSON.
 *
 *   node --import tsx bench/suite/in-process/floor-worker.ts --settings '<json>' --out <file>
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { readWorldUsers } from "../../../world/index.js";
import { closedLoop, openLoop, type LoadResult } from "../load-generator.js";
import { DegradedCounter, phaseResult, type PhaseResult } from "../phase-result.js";
import { measureCpu } from "../process-cpu.js";
import { startInProcessPipeline, type InProcessSettings } from "./in-process-pipeline.js";

export interface FloorSettings extends InProcessSettings {
  worldDir: string;
  warmupMs: number;
  sequentialMs: number;
  saturationMs: number;
  concurrency: number;
  openLoopRate: number;
  openLoopMs: number;
  /** Processes besides this one whose CPU the saturation run is charged with (nats-server, redis-server). */
  pids: Record<string, number | undefined>;
}

export interface FloorResults {
  startMs: number;
  sequential: PhaseResult;
  saturation: PhaseResult;
  openLoop: PhaseResult;
}

const { values } = parseArgs({ options: { settings: { type: "string" }, out: { type: "string" } } });
if (!values.settings || !values.out) throw new Error("usage: floor-worker --settings <json> --out <file>");
const settings = JSON.parse(values.settings) as FloorSettings;
const logger = pino({ level: "warn" });

const started = performance.now();
const floor = await startInProcessPipeline(settings, logger);
const startMs = performance.now() - started;
try {
  const users = readWorldUsers(settings.worldDir).map((u) => u.id);
  const degraded = new DegradedCounter();
  const recommend = async (n: number) => {
    const r = await floor.recommend({
      userId: users[n % users.length] ?? "",
      count: 20,
      surface: "home",
      context: {},
      exclude: [],
      deadline: Date.now() + 5_000,
    });
    degraded.add(r.degraded);
  };
  const measured = async (run: () => Promise<LoadResult>): Promise<PhaseResult> => {
    degraded.take();
    const cpu = measureCpu({ ...settings.pids, "in-process pipeline and its callers": process.pid });
    const result = await run();
    return { ...phaseResult(result, degraded.take()), cpu: cpu.stop() };
  };
  // The same order and warm-up as through the stack.
  await openLoop(recommend, { ratePerSec: 50, durationMs: settings.warmupMs });
  const sequential = await measured(() => closedLoop(recommend, { concurrency: 1, durationMs: settings.sequentialMs }));
  const open = await measured(() => openLoop(recommend, { ratePerSec: settings.openLoopRate, durationMs: settings.openLoopMs }));
  const saturation = await measured(() => closedLoop(recommend, { concurrency: settings.concurrency, durationMs: settings.saturationMs }));
  const results: FloorResults = { startMs, sequential, saturation, openLoop: open };
  writeFileSync(values.out, JSON.stringify(results));
} finally {
  await floor.stop();
}
