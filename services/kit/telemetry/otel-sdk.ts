import type { Logger } from "pino";

/** Stops the SDK and flushes spans; a no-op when tracing export is off. */
export type TelemetryShutdown = () => Promise<void>;

/**
 * Starts the OpenTelemetry SDK only when OTEL_EXPORTER_OTLP_ENDPOINT is set; the
 * SDK itself reads the standard OTEL_* variables (protocol, headers, sampler).
 * Without it the API's no-op tracer stays in place and spans cost next to nothing.
 */
export async function startTelemetry(service: string, logger: Logger): Promise<TelemetryShutdown> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return async () => {};
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const sdk = new NodeSDK({ serviceName: process.env.OTEL_SERVICE_NAME ?? `recmesh-${service}`, instrumentations: [] });
  sdk.start();
  logger.info({ endpoint }, "OpenTelemetry export started");
  return () => sdk.shutdown();
}
