import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { testLogger } from "../testing/test-logger.js";
import { startTelemetry } from "./otel-sdk.js";

/** A minimal OTLP/HTTP receiver on loopback that records the paths it was posted to. */
async function otlpReceiver(): Promise<{ url: string; posts: string[]; close: () => Promise<void> }> {
  const posts: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on("end", () => {
      posts.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise((r) => server.close(() => r())) };
}

describe("startTelemetry", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    trace.disable();
  });

  it("leaves the no-op tracer in place when no OTLP endpoint is configured", async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const stop = await startTelemetry("test", testLogger());
    const span = trace.getTracer("t").startSpan("s");
    expect(span.isRecording()).toBe(false);
    span.end();
    await stop();
  });

  it("exports spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set", async () => {
    const receiver = await otlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "http/protobuf";
    const stop = await startTelemetry("test", testLogger());
    const span = trace.getTracer("t").startSpan("exported");
    expect(span.isRecording()).toBe(true);
    span.end();
    await stop();
    await receiver.close();
    expect(receiver.posts).toContain("POST /v1/traces");
  });
});
