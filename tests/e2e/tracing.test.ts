import { credentials } from "@grpc/grpc-js";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecommendRequest, RecommenderServiceClient } from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { testLogger } from "../../services/kit/testing/test-logger.js";
import { TestStack } from "./stack-harness.js";

describe("one Recommend is one trace across every hop and pipeline stage", () => {
  const exporter = new InMemorySpanExporter();
  // Assignment through the Assign RPC, so that the experiment service is one of the hops traced.
  const stack = new TestStack(testLogger(), { recommender: { RECMESH_RECOMMENDER_ASSIGNMENT: "rpc" } });
  let client: RecommenderServiceClient;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    await stack.start();
    client = new RecommenderServiceClient(stack.addresses.recommender, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await stack.stop();
    trace.disable();
  });

  it("links the front door, its stages and every downstream service's server span", async () => {
    exporter.reset();
    const res = await unaryCall(client.recommend.bind(client), RecommendRequest.fromPartial({ userId: "user-00020", count: 10, surface: "home" }), {
      deadline: Date.now() + 10_000,
    });
    expect(res.items.length).toBe(10);
    await new Promise((r) => setTimeout(r, 200));
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === "RecommenderService/Recommend");
    expect(root).toBeDefined();
    const traceId = root?.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const names = inTrace.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "RecommenderService/Recommend",
        "recommend.ExperimentAssignment",
        "recommend.UserFeatureHydration",
        "recommend.CandidateGeneration",
        "recommend.Ranking",
        "recommend.SeenItemsFilter",
        "recommend.CategoryCapFilter",
        "ExperimentService/Assign",
        "FeatureService/StreamFeatures",
        "CandidateService/Generate",
        "RankingService/Rank",
      ]),
    );
    const byName = (name: string): ReadableSpan | undefined => inTrace.find((s) => s.name === name);
    expect(byName("recommend.CandidateGeneration")?.attributes["recmesh.output_count"]).toBeGreaterThan(0);
    expect(byName("recommend.Ranking")?.attributes["recmesh.model"]).toBe(`${res.model?.name}/${res.model?.version}`);
    expect(byName("recommend.ExperimentAssignment")?.attributes).toHaveProperty("recmesh.variants");
    const rankServer = byName("RankingService/Rank");
    const rankingStage = byName("recommend.Ranking");
    expect(rankServer?.parentSpanContext?.spanId).toBe(rankingStage?.spanContext().spanId);
  });
});
