import { credentials, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ListModelsRequest,
  ListModelsResponse,
  RankingServiceClient,
  RankingServiceService,
} from "../../../gen/recmesh/ranking/v1/ranking_service.js";
import { DeadlineExceededError, InvalidArgumentError, UnavailableError } from "../errors/errors.js";
import { ServiceMetrics } from "../telemetry/metrics.js";
import { startKitServer } from "../testing/kit-server.js";
import { testLogger } from "../testing/test-logger.js";
import { Dependency } from "./dependency.js";
import { RpcAdapter } from "./handlers.js";
import type { ServiceServer } from "./service-server.js";
import { unaryCall } from "./unary-call.js";

type Mode = "ok" | "fail" | "invalid";

describe("Dependency (circuit breaker + deadlines) against a real server", () => {
  let mode: Mode = "ok";
  let hits = 0;
  let seenDeadline = 0;
  let server: ServiceServer;
  let client: RankingServiceClient;
  const metrics = new ServiceMetrics("test");
  const dependency = new Dependency(
    "ranking",
    { errorThresholdPercentage: 50, resetTimeoutMs: 300, volumeThreshold: 4, rollingWindowMs: 10_000 },
    metrics,
    testLogger(),
  );

  const listModels = (parentDeadline?: number) =>
    dependency.call((deadline) => unaryCall(client.listModels.bind(client), ListModelsRequest.create(), { deadline }), {
      timeoutMs: 1_000,
      parentDeadline,
      marginMs: 100,
    });

  const breakerGauge = async () =>
    (await metrics.registry.getSingleMetric("recmesh_breaker_state")?.get())?.values.find((v) => v.labels.dependency === "ranking")?.value;

  beforeAll(async () => {
    const rpc = new RpcAdapter("RankingService", testLogger(), 5_000);
    ({ server } = await startKitServer([
      {
        definition: RankingServiceService,
        implementation: {
          listModels: rpc.unary("ListModels", async (_req: ListModelsRequest, call) => {
            hits += 1;
            seenDeadline = call.deadline;
            if (mode === "fail") throw new UnavailableError("model store down");
            if (mode === "invalid") throw new InvalidArgumentError("model", "unknown");
            return ListModelsResponse.create({ requestedProvider: "cpu" });
          }),
        },
      },
    ]));
    server.markServing();
    client = new RankingServiceClient(`127.0.0.1:${server.grpcPort}`, credentials.createInsecure());
  });

  afterAll(async () => {
    dependency.shutdown();
    client.close();
    await server.drain();
  });

  it("passes the caller's INVALID_ARGUMENT through without tripping the breaker", async () => {
    mode = "invalid";
    for (let i = 0; i < 8; i++) await expect(listModels()).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(dependency.state).toBe("closed");
    expect(hits).toBe(8);
  });

  it("cuts the call's deadline to the caller's remaining budget minus the margin", async () => {
    mode = "ok";
    const parent = Date.now() + 600;
    await listModels(parent);
    // The deadline travels as a relative timeout rounded to milliseconds: allow a few of them.
    expect(seenDeadline).toBeLessThanOrEqual(parent - 100 + 5);
  });

  it("refuses without calling when the caller has no time left", async () => {
    const before = hits;
    await expect(listModels(Date.now() + 50)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(hits).toBe(before);
  });

  it("opens on dependency failures, then rejects without calling and serves the fallback", async () => {
    mode = "fail";
    for (let i = 0; i < 10 && dependency.state === "closed"; i++) {
      await expect(listModels()).rejects.toMatchObject({ code: status.UNAVAILABLE });
    }
    expect(dependency.state).toBe("open");
    expect(await breakerGauge()).toBe(2);
    const before = hits;
    await expect(listModels()).rejects.toBeInstanceOf(UnavailableError);
    const fallback = await dependency.callWithFallback(
      (deadline) => unaryCall(client.listModels.bind(client), ListModelsRequest.create(), { deadline }),
      { timeoutMs: 1_000 },
      () => ListModelsResponse.create({ requestedProvider: "fallback" }),
    );
    expect(fallback.degraded).toBe(true);
    expect(fallback.value.requestedProvider).toBe("fallback");
    expect(hits).toBe(before);
  });

  it("closes when told the dependency answers again, without a call through it", async () => {
    const other = new Dependency("other", { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 2, rollingWindowMs: 10_000 }, metrics, testLogger());
    try {
      for (let i = 0; i < 4 && other.state === "closed"; i++) await other.call(() => Promise.reject(new UnavailableError("down")), { timeoutMs: 1_000 }).catch(() => undefined);
      expect(other.state).toBe("open");
      other.recovered();
      expect(other.state).toBe("closed");
      expect(await other.call(async () => "answered", { timeoutMs: 1_000 })).toBe("answered");
    } finally {
      other.shutdown();
    }
  });

  it("closes again once the dependency recovers", async () => {
    mode = "ok";
    let answer: ListModelsResponse | undefined;
    for (let i = 0; i < 100 && !answer; i++) {
      answer = await listModels().catch(async () => {
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      });
    }
    expect(answer?.requestedProvider).toBe("cpu");
    expect(dependency.state).toBe("closed");
    expect(await breakerGauge()).toBe(0);
  });
});
