import { Metadata } from "@grpc/grpc-js";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractFromHeaders, extractFromMetadata, inSpan, injectIntoHeaders, injectIntoMetadata } from "./tracing.js";

describe("trace context propagation", () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it("carries the active span through gRPC metadata and NATS headers", async () => {
    await inSpan("parent", async (span) => {
      const metadata = injectIntoMetadata(new Metadata());
      expect(String(metadata.get("traceparent")[0])).toContain(span.spanContext().traceId);
      const fromMetadata = trace.getSpanContext(extractFromMetadata(metadata));
      expect(fromMetadata?.traceId).toBe(span.spanContext().traceId);

      const h = natsHeaders();
      injectIntoHeaders(h);
      const fromHeaders = trace.getSpanContext(extractFromHeaders(h));
      expect(fromHeaders?.spanId).toBe(span.spanContext().spanId);
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["parent"]);
  });

  it("records a failure on the span and rethrows", async () => {
    await expect(inSpan("failing", async () => Promise.reject(new Error("nope")))).rejects.toThrow("nope");
    const failing = exporter.getFinishedSpans().find((s) => s.name === "failing");
    expect(failing?.status.code).toBe(2);
    expect(failing?.events[0]?.name).toBe("exception");
  });
});
