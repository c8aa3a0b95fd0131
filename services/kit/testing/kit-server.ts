import type { ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import type { ServerSettings } from "../config/common-config.js";
import { ServiceServer } from "../grpc/service-server.js";
import { ServiceMetrics } from "../telemetry/metrics.js";
import { testLogger } from "./test-logger.js";

/** Server settings for tests: loopback, port 0 for gRPC and admin, short drain. */
export function testServerSettings(overrides: Partial<ServerSettings> = {}): ServerSettings {
  return {
    service: "feature",
    host: "127.0.0.1",
    grpcPort: 0,
    adminPort: 0,
    logLevel: "silent",
    logPretty: false,
    maxMessageBytes: 4 * 1024 * 1024,
    defaultDeadlineMs: 5_000,
    minDeadlineMs: 1,
    drainTimeoutMs: 2_000,
    maxConcurrentStreams: 1000,
    maxOpenStreams: 4096,
    ...overrides,
  };
}

/** A kit ServiceServer on free ports serving the given implementations. */
export async function startKitServer(
  services: { definition: ServiceDefinition; implementation: UntypedServiceImplementation }[],
  overrides: Partial<ServerSettings> = {},
): Promise<{ server: ServiceServer; address: string; metrics: ServiceMetrics }> {
  const metrics = new ServiceMetrics("test");
  const server = new ServiceServer({ settings: testServerSettings(overrides), logger: testLogger(), metrics, services });
  const { grpcPort } = await server.listen();
  return { server, address: `127.0.0.1:${grpcPort}`, metrics };
}
