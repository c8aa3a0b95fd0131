import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where /proc cannot tell. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Share of one core each process used over a window (1.0 = one full core). */
export interface CpuShares {
  windowMs: number;
  cores: Record<string, number>;
}

/** Starts measuring the named processes; `stop()` returns the cores each used in between. */
export function measureCpu(pids: Record<string, number | undefined>): { stop(): CpuShares } {
  const started = performance.now();
  const before = Object.entries(pids).map(([name, pid]) => ({ name, pid, cpu: pid === undefined ? undefined : cpuSeconds(pid) }));
  return {
    stop: () => {
      const windowMs = performance.now() - started;
      const cores: Record<string, number> = {};
      for (const b of before) {
        const after = b.pid === undefined ? undefined : cpuSeconds(b.pid);
        if (after !== undefined && b.cpu !== undefined) cores[b.name] = (after - b.cpu) / (windowMs / 1000);
      }
      return { windowMs, cores };
    },
  };
}
