import { Server, type ServerInterceptor, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { AdminServer } from "../admin/admin-server.js";
import type { ServerSettings } from "../config/common-config.js";
import type { ServiceMetrics } from "../telemetry/metrics.js";
import { ServerHealth } from "./health.js";
import { deadlineInterceptor } from "./interceptors/deadline-interceptor.js";
import { loggingInterceptor } from "./interceptors/logging-interceptor.js";
import { metricsInterceptor } from "./interceptors/metrics-interceptor.js";
import { rateLimitInterceptor } from "./interceptors/rate-limit-interceptor.js";
import { streamLimitInterceptor } from "./interceptors/stream-limit-interceptor.js";
import { addReflection } from "./reflection.js";
import { tolerantDefinition } from "./unparseable.js";
import { serverCredentials } from "./tls-credentials.js";

export interface ServiceRegistration {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface ServiceServerOptions {
  settings: ServerSettings;
  logger: Logger;
  metrics: ServiceMetrics;
  services: ServiceRegistration[];
}

/** Fully qualified proto name of a generated service definition ("recmesh.feature.v1.FeatureService"). */
export function serviceNameOf(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0];
  if (!first) throw new Error("service definition has no methods");
  return first.path.split("/")[1] ?? "";
}

/**
 * A gRPC server with everything every recmesh service needs: health (NOT_SERVING
 * until markServing and again while draining), reflection from the real
 * descriptors, logging / metrics / deadline (and per-caller rate limit)
 * interceptors, message size, stream concurrency and open-stream limits, TLS or mutual TLS
 * when configured, and the admin HTTP port.
 */
export class ServiceServer {
  readonly grpc: Server;
  private readonly health: ServerHealth;
  private readonly admin: AdminServer;
  private serving = false;
  grpcPort = 0;
  adminPort = 0;

  constructor(private readonly options: ServiceServerOptions) {
    const { settings, logger, metrics } = options;
    // Later interceptors wrap earlier ones: a status sent by the rate limit still passes logging and metrics.
    const interceptors: ServerInterceptor[] = [
      loggingInterceptor(logger),
      metricsInterceptor(metrics),
      deadlineInterceptor(settings.minDeadlineMs),
      streamLimitInterceptor(settings.maxOpenStreams, metrics),
    ];
    if (settings.rateLimit) interceptors.push(rateLimitInterceptor(settings.rateLimit, metrics));
    this.grpc = new Server({
      "grpc.max_receive_message_length": settings.maxMessageBytes,
      "grpc.max_send_message_length": settings.maxMessageBytes,
      "grpc.max_concurrent_streams": settings.maxConcurrentStreams,
      interceptors,
    });
    const names = options.services.map((s) => serviceNameOf(s.definition));
    for (const s of options.services) this.grpc.addService(tolerantDefinition(s.definition), s.implementation);
    this.health = new ServerHealth(names);
    this.health.addToServer(this.grpc);
    addReflection(this.grpc, names);
    this.admin = new AdminServer(metrics.registry, () => this.serving);
  }

  /** Binds both ports (0 picks a free one); health stays NOT_SERVING. */
  async listen(): Promise<{ grpcPort: number; adminPort: number }> {
    const { host, grpcPort, adminPort } = this.options.settings;
    this.grpcPort = await new Promise<number>((resolve, reject) =>
      this.grpc.bindAsync(`${host}:${grpcPort}`, serverCredentials(this.options.settings.tls), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    this.adminPort = await this.admin.listen(adminPort, host);
    const tls = this.options.settings.tls;
    const transport = !tls ? "plaintext" : tls.requireClientCertificate ? "mtls" : "tls";
    this.options.logger.info({ grpcPort: this.grpcPort, adminPort: this.adminPort, host, transport }, "listening");
    return { grpcPort: this.grpcPort, adminPort: this.adminPort };
  }

  markServing(): void {
    this.serving = true;
    this.health.setAll("SERVING");
    this.options.logger.info("serving");
  }

  /**
   * Health NOT_SERVING first so load balancers stop sending, then a graceful
   * shutdown that lets in-flight calls finish, forced after the drain timeout.
   */
  async drain(): Promise<void> {
    this.serving = false;
    this.health.setAll("NOT_SERVING");
    const timeoutMs = this.options.settings.drainTimeoutMs;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.options.logger.warn({ timeoutMs }, "drain timeout: forcing shutdown");
        this.grpc.forceShutdown();
        resolve();
      }, timeoutMs);
      this.grpc.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.admin.close();
  }
}
