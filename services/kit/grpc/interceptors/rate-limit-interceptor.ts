import { Metadata, ServerInterceptingCall, ServerListenerBuilder, status, type ServerInterceptor } from "@grpc/grpc-js";
import type { RateLimitSettings } from "../../config/common-config.js";
import { TokenBuckets } from "../../limits/token-buckets.js";
import type { ServiceMetrics } from "../../telemetry/metrics.js";
import { callerIdentity } from "./caller-identity.js";
import { methodLabel } from "./method-name.js";

/** Probes and tooling are never rate limited: a throttled health check would take a healthy replica out. */
const EXEMPT_PREFIXES = ["/grpc.health.v1.", "/grpc.reflection."];

/** Buckets kept at most (least recently used dropped beyond). */
const MAX_CALLERS = 10_000;

/**
 * Per-caller token bucket on every call start (a stream counts once): a call
 * over the limit ends at once with RESOURCE_EXHAUSTED naming the limit, and a
 * `retry-after-ms` trailer telling the caller when a token will be there.
 */
export function rateLimitInterceptor(settings: RateLimitSettings, metrics: ServiceMetrics): ServerInterceptor {
  const buckets = new TokenBuckets({ ratePerSecond: settings.ratePerSecond, burst: settings.burst, maxKeys: MAX_CALLERS });
  const limited = metrics.counter("recmesh_rpc_rate_limited_total", "Calls refused by the per-caller rate limit, by method.", ["method"]);
  return (descriptor, call) => {
    if (EXEMPT_PREFIXES.some((prefix) => descriptor.path.startsWith(prefix))) return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const caller = callerIdentity(call, metadata, settings.trustCallerHeader);
        const waitMs = buckets.take(caller);
        if (waitMs > 0) {
          limited.inc({ method: methodLabel(descriptor.path) });
          const trailer = new Metadata();
          trailer.set("retry-after-ms", String(Math.ceil(waitMs)));
          call.sendStatus({
            code: status.RESOURCE_EXHAUSTED,
            details: `rate limit exceeded for ${caller}: ${settings.ratePerSecond} calls/s per caller, burst ${settings.burst}`,
            metadata: trailer,
          });
          return;
        }
        next(metadata);
      })
      .build();
    return new ServerInterceptingCall(call, { start: (next) => next(listener) });
  };
}
