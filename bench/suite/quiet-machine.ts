import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

export interface LoadCheck {
  /** 1-minute load average when the check began and when it ended. */
  before: number;
  after: number;
  waitedMs: number;
  quiet: boolean;
}

/**
 * Waits (at most `maxWaitMs`) until the 1-minute load average is at or below
 * `threshold`: the machine is shared, and a measurement taken while others run
 * tests says more about them than about us. Reports the load either way.
 */
export async function waitForQuiet(threshold: number, maxWaitMs: number, say: (line: string) => void): Promise<LoadCheck> {
  const started = Date.now();
  const before = loadavg()[0] ?? 0;
  let load = before;
  let told = 0;
  while (load > threshold && Date.now() - started < maxWaitMs) {
    if (Date.now() - told > 15_000) {
      say(`  load average ${load.toFixed(2)} > ${threshold}: waiting for a quieter machine (at most ${Math.round((maxWaitMs - (Date.now() - started)) / 1000)} s more)`);
      told = Date.now();
    }
    await sleep(2_000);
    load = loadavg()[0] ?? 0;
  }
  return { before, after: load, waitedMs: Date.now() - started, quiet: load <= threshold };
}

export function currentLoad(): number {
  return loadavg()[0] ?? 0;
}
