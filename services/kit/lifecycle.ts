import type { Logger } from "pino";

type Closer = () => Promise<unknown> | unknown;

/**
 * Ordered shutdown of a process: closers run in the order they were added
 * (server drain → NATS drain → Redis quit → telemetry flush), each failure logged
 * without stopping the rest. SIGTERM and SIGINT start it once.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, close } of this.closers) {
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
