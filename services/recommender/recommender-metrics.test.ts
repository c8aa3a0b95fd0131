import { describe, expect, it } from "vitest";
import { ServiceMetrics } from "../kit/telemetry/metrics.js";
import { exportCandidateBudget } from "./recommender-metrics.js";
import { CandidateBudget } from "./resilience/candidate-budget.js";

describe("candidate budget metrics", () => {
  it("show the narrowed budget at the next scrape and the full one once latency recovers", async () => {
    const metrics = new ServiceMetrics("recommender");
    const budget = new CandidateBudget({ max: 500, min: 100, targetMs: 20, smoothing: 0.5 });
    exportCandidateBudget(metrics, budget);
    const scrape = async () => metrics.registry.metrics();
    expect(await scrape()).toMatch(/^recmesh_recommender_narrowed\{[^}]*\} 0$/m);
    for (let i = 0; i < 50; i++) budget.observe(60);
    const pressed = await scrape();
    expect(pressed).toMatch(/^recmesh_recommender_narrowed\{[^}]*\} 1$/m);
    expect(pressed).toMatch(/^recmesh_recommender_candidate_budget\{[^}]*\} 100$/m);
    for (let i = 0; i < 200; i++) budget.observe(5);
    const recovered = await scrape();
    expect(recovered).toMatch(/^recmesh_recommender_narrowed\{[^}]*\} 0$/m);
    expect(recovered).toMatch(/^recmesh_recommender_candidate_budget\{[^}]*\} 500$/m);
  });
});
