import { ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";
import type { ServiceMetrics } from "../../telemetry/metrics.js";
import { methodLabel } from "./method-name.js";

/** RED metrics per method: calls by status code, duration, calls in flight. */
export function metricsInterceptor(metrics: ServiceMetrics): ServerInterceptor {
  return (descriptor, call) => {
    const method = methodLabel(descriptor.path);
    const started = performance.now();
    metrics.rpcInFlight.inc({ method });
    let done = false;
    return new ServerInterceptingCall(call, {
      sendStatus: (s, next) => {
        if (!done) {
          done = true;
          const code = status[s.code] ?? String(s.code);
          metrics.rpcInFlight.dec({ method });
          metrics.rpcRequests.inc({ method, code });
          metrics.rpcDuration.observe({ method, code }, (performance.now() - started) / 1000);
        }
        next(s);
      },
    });
  };
}
