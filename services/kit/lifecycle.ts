import type { Logger } from "pino";

type Closer = () => Promise<unknown> | unknown;

/**
 * Ordered shutdown of a process. Closers run in reverse order of registration,
 * so what was acquired first is released last: a main that connects Redis, then
 * NATS, then starts consumers and the server shuts down server → consumers →
 * NATS drain → Redis quit, and the final step (telemetry flush) after all.
 * Each failure is logged without stopping the rest. SIGTERM and SIGINT start it once.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private final: { name: string; close: Closer } | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  /** A step that always runs last, after every step added later too (telemetry flush). */
  withFinalStep(name: string, close: Closer): this {
    this.final = { name, close };
    return this;
  }

  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      const steps = [...this.closers].reverse();
      if (this.final) steps.push(this.final);
      for (const { name, close } of steps) {
        try {
          await close();
          this.logger.debug({ step: name }, "shutdown step done");
        } catch (err) {
          this.logger.error({ err, step: name }, "shutdown step failed");
        }
      }
    })();
    return this.stopping;
  }

  /** Exit after an orderly shutdown on SIGTERM/SIGINT; a second signal exits at once. */
  handleSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        exit(1);
        return;
      }
      this.logger.info({ signal }, "shutting down");
      void this.shutdown().then(() => exit(0));
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
}
