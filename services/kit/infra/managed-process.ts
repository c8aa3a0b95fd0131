import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * A server started as a child process: output goes to a log file and a short
 * in-memory tail (for error messages), readiness is a line it prints, and it is
 * killed when this process exits.
 */
export class ManagedProcess {
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private tail = "";
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    logPath: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.log = createWriteStream(logPath, { flags: "a" });
    this.child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
    live.add(this.child);
    const collect = (chunk: Buffer) => {
      this.log.write(chunk);
      this.tail = (this.tail + chunk.toString()).slice(-4000);
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code) => {
        live.delete(this.child);
        resolve(code);
      });
      this.child.once("error", (err) => {
        this.tail += `\n${err.message}`;
        live.delete(this.child);
        resolve(-1);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && live.has(this.child);
  }

  /** The last few kilobytes of its output, for error messages. */
  outputTail(): string {
    return this.tail;
  }

  /** Resolves once the output matches `ready`; rejects with the output tail if it exits or times out first. */
  async waitFor(ready: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready.test(this.tail)) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.tail}`);
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.running) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // A second stop (e.g. restart() after stop()) must not wait for a 'close' that already happened.
    if (this.log.closed) return;
    this.log.end();
    await once(this.log, "close").catch(() => undefined);
  }

  /** kill -9, for fault-injection tests. */
  async kill(): Promise<void> {
    if (this.running) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}
