import { describe, expect, it } from "vitest";
import { DeadlineExceededError, UnavailableError } from "../../kit/errors/errors.js";
import { CategoryCapFilter } from "../filters/category-cap-filter.js";
import { DuplicateItemsFilter } from "../filters/duplicate-items-filter.js";
import { SeenItemsFilter } from "../filters/seen-items-filter.js";
import { CandidateBudget } from "../resilience/candidate-budget.js";
import type { CandidatePort, ExperimentPort, RankingPort, UserFeaturePort } from "./ports.js";
import { RecommendPipeline, type PipelineDeps } from "./recommend-pipeline.js";
import type { Assignment, Candidate } from "./types.js";

const catalog: Candidate[] = Array.from({ length: 30 }, (_, i) => ({
  itemId: `i${i}`,
  retrievalScore: 30 - i,
  sources: ["popularity"],
  category: `c${i % 3}`,
}));

const down = () => Promise.reject(new UnavailableError("down"));

function deps(overrides: Partial<PipelineDeps> = {}) {
  const fallbacks: string[] = [];
  const rankCalls: { model?: { name: string; version: string }; itemIds: string[] }[] = [];
  const control: Assignment = { experiment: "exp", variant: "control", layer: "", params: {}, forced: true, bucket: 0 };
  const experiments: ExperimentPort = {
    assign: async () => [{ experiment: "exp", variant: "treatment", layer: "", params: { ranking_model: "ctr" }, forced: false, bucket: 0.3 }],
    controlAssignments: () => [control],
  };
  const features: UserFeaturePort = { fetch: async () => ({ views: ["user_taste"], payload: "blocks" }), defaults: () => ({ views: [], payload: null }) };
  const candidates: CandidatePort = {
    generate: async (q) => ({ candidates: catalog.slice(0, q.k), sources: [], unknownUser: false }),
    popular: () => catalog.slice(0, 10),
  };
  // Ranking reverses retrieval order: the last candidate scores highest.
  const ranking: RankingPort = {
    rank: async (q) => {
      rankCalls.push({ model: q.model, itemIds: q.itemIds });
      return { scores: q.itemIds.map((_, i) => i), model: { name: q.model?.name ?? "default", version: "3" } };
    },
  };
  const pipeline = new RecommendPipeline({
    experiments,
    features,
    candidates,
    ranking,
    budget: new CandidateBudget({ max: 20, min: 5, targetMs: 10_000, smoothing: 0.2 }),
    surfaces: new Map([["home", { filters: [new DuplicateItemsFilter(), new SeenItemsFilter(), new CategoryCapFilter(2, 100)] }]]),
    minBudgetMs: 5,
    onFallback: (d) => fallbacks.push(d),
    ...overrides,
  });
  return { pipeline, fallbacks, rankCalls, experiments, features, candidates, ranking };
}

const query = (over: Partial<Parameters<RecommendPipeline["recommend"]>[0]> = {}) => ({
  userId: "u1",
  count: 5,
  surface: "home",
  context: {},
  exclude: [],
  deadline: Date.now() + 1_000,
  ...over,
});

describe("RecommendPipeline", () => {
  it("ranks with the variant's model, applies filters in rank order and cuts to count", async () => {
    const { pipeline, rankCalls } = deps();
    const r = await pipeline.recommend(query({ exclude: ["i19"] }));
    expect(rankCalls[0]?.model).toEqual({ name: "ctr", version: "" });
    expect(rankCalls[0]?.itemIds).toHaveLength(20);
    expect(r.items.map((i) => i.itemId)).toEqual(["i18", "i17", "i16", "i15", "i14"]);
    const perCategory = new Map<string, number>();
    for (const i of r.items) perCategory.set(i.category, (perCategory.get(i.category) ?? 0) + 1);
    expect(Math.max(...perCategory.values())).toBeLessThanOrEqual(2);
    for (let i = 1; i < r.items.length; i++) expect((r.items[i - 1]?.score ?? 0) >= (r.items[i]?.score ?? 0)).toBe(true);
    expect(r.degraded).toEqual([]);
    expect(r.model).toEqual({ name: "ctr", version: "3" });
    expect(r.stages.map((s) => s.stage)).toEqual([
      "ExperimentAssignment",
      "UserFeatureHydration",
      "CandidateGeneration",
      "Ranking",
      "DuplicateItemsFilter",
      "SeenItemsFilter",
      "CategoryCapFilter",
    ]);
    expect(r.stages.find((s) => s.stage === "SeenItemsFilter")?.removed).toEqual([{ itemId: "i19", reason: "SeenItemsFilter" }]);
  });

  it.each([
    ["experiment", { experiments: { assign: down, controlAssignments: () => [] } }],
    ["features", { features: { fetch: down, defaults: () => ({ views: [], payload: null }) } }],
    ["candidates", { candidates: { generate: down, popular: () => catalog.slice(0, 10) } }],
    ["ranking", { ranking: { rank: down } }],
  ] as const)("falls back when %s is down and says so", async (dependency, override) => {
    const { pipeline, fallbacks } = deps(override as Partial<PipelineDeps>);
    const r = await pipeline.recommend(query());
    expect(r.items.length).toBeGreaterThan(0);
    expect(r.degraded).toEqual([dependency]);
    expect(fallbacks).toEqual([dependency]);
    if (dependency === "ranking") {
      expect(r.model).toBeUndefined();
      expect(r.items[0]?.itemId).toBe("i0");
    }
  });

  it("uses control variants when assignment fails", async () => {
    const { pipeline, rankCalls } = deps({ experiments: { assign: down, controlAssignments: () => [{ experiment: "exp", variant: "control", layer: "", params: {}, forced: true, bucket: 0 }] } });
    const r = await pipeline.recommend(query());
    expect(r.assignments.map((a) => a.variant)).toEqual(["control"]);
    expect(rankCalls[0]?.model).toBeUndefined();
  });

  it("refuses a request with too little time left before calling anything", async () => {
    const { pipeline, rankCalls } = deps();
    await expect(pipeline.recommend(query({ deadline: Date.now() + 2 }))).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(rankCalls).toHaveLength(0);
  });

  it("caps items per category when the best-ranked ones crowd one category", async () => {
    const sameCategoryFirst: Candidate[] = catalog.map((c, i) => ({ ...c, category: i >= 15 ? "hot" : c.category }));
    const { pipeline } = deps({
      candidates: { generate: async () => ({ candidates: sameCategoryFirst, sources: [], unknownUser: false }), popular: () => [] },
    });
    const r = await pipeline.recommend(query());
    expect(r.items.filter((i) => i.category === "hot")).toHaveLength(2);
    expect(r.stages.find((s) => s.stage === "CategoryCapFilter")?.removed.length).toBeGreaterThan(0);
  });

  it("narrows the candidate count under sustained latency pressure and reports load degradation", async () => {
    const budget = new CandidateBudget({ max: 20, min: 5, targetMs: 1, smoothing: 1 });
    for (let i = 0; i < 40; i++) budget.observe(100);
    const { pipeline, rankCalls } = deps({ budget });
    const r = await pipeline.recommend(query());
    expect(rankCalls[0]?.itemIds).toHaveLength(5);
    expect(r.degraded).toContain("load");
  });
});
