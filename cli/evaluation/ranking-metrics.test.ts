import { describe, expect, it } from "vitest";
import { MetricMeans, orderByScore } from "./ranking-metrics.js";

describe("offline ranking metrics", () => {
  it("orders by score, best first, ties in input order", () => {
    expect(orderByScore([0.1, 0.9, 0.5, 0.9])).toEqual([1, 3, 2, 0]);
  });

  it("averages NDCG and recall over users", () => {
    const m = new MetricMeans(2);
    m.add(["a", "b", "c"], ["a"]);
    m.add(["x", "y"], ["z"]);
    expect(m.result.users).toBe(2);
    expect(m.result.ndcg).toBeCloseTo(0.5, 10);
    expect(m.result.recall).toBeCloseTo(0.5, 10);
  });
});
