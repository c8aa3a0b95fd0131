import type { Logger } from "pino";

/** Stops the SDK and flushes spans; a no-op when tracing export is off. */
export type TelemetryShutdown = () => Promise<void>;

/**
 * Starts the OpenTelemetry SDK only when OTEL_EXPORTER_OTLP_ENDPOINT is set; the
 * exporter and protocol follow the standard OTEL_* variables. Without it, the
 * API's no-op tracer stays in place and spans cost next to nothing.
 */
export async function startTelemetry(
  service: string,
  logger: Logger,
  env: Record<string, string | undefined> = process.env,
): Promise<TelemetryShutdown> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return async () => {};
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const sdk = new NodeSDK({ serviceName: env.OTEL_SERVICE_NAME ?? `recmesh-${service}`, instrumentations: [] });
  sdk.start();
  logger.info({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT }, "OpenTelemetry export started");
  return () => sdk.shutdown();
}
