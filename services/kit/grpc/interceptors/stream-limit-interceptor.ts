import { ServerInterceptingCall, ServerListenerBuilder, status, type ServerInterceptor } from "@grpc/grpc-js";
import type { ServiceMetrics } from "../../telemetry/metrics.js";
import { methodLabel } from "./method-name.js";

/** Health watches and reflection are tooling: refusing them would take a healthy replica out. */
const EXEMPT_PREFIXES = ["/grpc.health.v1.", "/grpc.reflection."];

/**
 * A server-wide cap on open streaming calls (client, server or bidi): a stream
 * beyond it ends at once with RESOURCE_EXHAUSTED naming the limit, so a flood
 * of streams from many connections cannot hold unbounded memory. Unary calls
 * are not counted (the HTTP/2 per-connection limit and the services' own
 * in-flight limits bound them).
 */
export function streamLimitInterceptor(maxOpenStreams: number, metrics: ServiceMetrics): ServerInterceptor {
  let open = 0;
  const refused = metrics.counter("recmesh_rpc_streams_refused_total", "Streaming calls refused by RECMESH_MAX_OPEN_STREAMS, by method.", ["method"]);
  const openGauge = metrics.gauge("recmesh_rpc_streams_open", "Streaming calls open on this server.");
  openGauge.set(0);
  return (descriptor, call) => {
    const streaming = descriptor.requestStream || descriptor.responseStream;
    if (!streaming || EXEMPT_PREFIXES.some((prefix) => descriptor.path.startsWith(prefix))) return new ServerInterceptingCall(call);
    let counted = false;
    const release = () => {
      if (!counted) return;
      counted = false;
      open -= 1;
      openGauge.set(open);
    };
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (open >= maxOpenStreams) {
          refused.inc({ method: methodLabel(descriptor.path) });
          call.sendStatus({
            code: status.RESOURCE_EXHAUSTED,
            details: `too many open streams on this server: limit ${maxOpenStreams} (RECMESH_MAX_OPEN_STREAMS); retry with backoff`,
          });
          return;
        }
        counted = true;
        open += 1;
        openGauge.set(open);
        next(metadata);
      })
      .withOnCancel(release)
      .build();
    return new ServerInterceptingCall(call, {
      start: (next) => next(listener),
      sendStatus: (s, next) => {
        release();
        next(s);
      },
    });
  };
}
