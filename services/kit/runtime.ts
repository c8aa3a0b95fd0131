import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { ConfigError } from "./config/load-config.js";
import type { ServerSettings } from "./config/common-config.js";
import { Lifecycle } from "./lifecycle.js";
import { createLogger } from "./telemetry/logger.js";
import { ServiceMetrics } from "./telemetry/metrics.js";
import { startTelemetry } from "./telemetry/otel-sdk.js";

/** What every composition root starts with: the one logger, the metrics registry, telemetry and the shutdown sequence. */
export interface Runtime {
  logger: Logger;
  metrics: ServiceMetrics;
  lifecycle: Lifecycle;
}

export interface RuntimeOptions {
  /** A logger to use instead of creating one (tests). */
  logger?: Logger;
}

/** Creates the process-wide runtime of a service; telemetry is flushed last on shutdown. */
export async function createRuntime(settings: ServerSettings, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger =
    options.logger ?? createLogger({ service: settings.service, level: settings.logLevel, pretty: settings.logPretty });
  const metrics = new ServiceMetrics(settings.service);
  const lifecycle = new Lifecycle(logger);
  const stopTelemetry = await startTelemetry(settings.service, logger);
  return { logger, metrics, lifecycle: lifecycle.withFinalStep("telemetry", stopTelemetry) };
}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/**
 * Runs a service's start function as the process entry point: SIGTERM/SIGINT
 * drain it, a configuration error exits 2 with one line per bad variable, any
 * other start-up failure exits 1.
 */
export function runAsMain(start: () => Promise<{ lifecycle: Lifecycle }>): void {
  // Through a promise so that a configuration error thrown before start's first await lands in the same handler.
  Promise.resolve()
    .then(start)
    .then(
    ({ lifecycle }) => lifecycle.handleSignals(),
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
