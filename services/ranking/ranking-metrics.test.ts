import { describe, expect, it } from "vitest";
import { ServiceMetrics } from "../kit/telemetry/metrics.js";
import { rankingMetrics } from "./ranking-metrics.js";

const providerSamples = async (metrics: ServiceMetrics) =>
  (await metrics.registry.metrics())
    .split("\n")
    .filter((l) => l.startsWith("recmesh_ranking_execution_provider{"))
    .sort();

describe("ranking metrics", () => {
  it("keeps one execution-provider sample per model when a new version lands on another provider", async () => {
    const metrics = new ServiceMetrics("ranking");
    const m = rankingMetrics(metrics);
    m.servingOn("dot", "cuda");
    m.servingOn("ctr", "cuda");
    m.servingOn("dot", "cpu");
    m.servingOn("wide", "webgpu");
    m.servingOn("ctr", "webgpu");
    expect(await providerSamples(metrics)).toEqual([
      'recmesh_ranking_execution_provider{model="ctr",provider="webgpu",service="ranking"} 1',
      'recmesh_ranking_execution_provider{model="dot",provider="cpu",service="ranking"} 1',
      'recmesh_ranking_execution_provider{model="wide",provider="webgpu",service="ranking"} 1',
    ]);
  });
});
