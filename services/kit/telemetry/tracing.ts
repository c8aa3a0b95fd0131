import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";

export const tracer = trace.getTracer("recmesh");

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length === 0 ? undefined : values.map(String);
  },
};

const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** The minimal header interface of a NATS message (MsgHdrs). */
export interface HeaderCarrier {
  get(key: string): string;
  set(key: string, value: string): void;
  keys(): string[];
}

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => carrier.keys(),
  get: (carrier, key) => carrier.get(key) || undefined,
};

const headerSetter: TextMapSetter<HeaderCarrier> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** Writes the active trace context into outgoing gRPC metadata. */
export function injectIntoMetadata(metadata: Metadata, ctx: Context = context.active()): Metadata {
  propagation.inject(ctx, metadata, metadataSetter);
  return metadata;
}

export function extractFromMetadata(metadata: Metadata): Context {
  return propagation.extract(context.active(), metadata, metadataGetter);
}

/** Writes the active trace context into outgoing NATS headers. */
export function injectIntoHeaders(headers: HeaderCarrier, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, headerSetter);
}

export function extractFromHeaders(headers: HeaderCarrier | undefined): Context {
  return headers ? propagation.extract(context.active(), headers, headerGetter) : context.active();
}

/** The trace id of a span, or undefined when tracing is off (no-op spans). */
export function traceIdOf(span: Span): string | undefined {
  const { traceId, traceFlags } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) && traceFlags !== undefined ? traceId : undefined;
}

/**
 * Runs `fn` inside a new span that is a child of the active context, recording
 * an exception and ERROR status when it throws.
 */
export async function inSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T>,
  options: { kind?: SpanKind; parent?: Context; attributes?: Record<string, string | number | boolean> } = {},
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}

export { SpanKind };
