import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes, from /proc/<pid>/status (Linux); undefined once it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    const kb = Number(line?.split(/\s+/)[1]);
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS on an interval; keeps the peak. */
export class RssSampler {
  readonly baseline: number;
  peak: number;
  last: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 200,
  ) {
    const now = residentBytes(pid);
    if (now === undefined) throw new Error(`cannot read the RSS of process ${pid} (/proc/${pid}/status)`);
    this.baseline = now;
    this.peak = now;
    this.last = now;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const now = residentBytes(this.pid);
    if (now === undefined) return;
    this.last = now;
    this.peak = Math.max(this.peak, now);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
