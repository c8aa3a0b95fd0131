import { describe, expect, it } from "vitest";
import type { Recommendation } from "../pipeline/recommend-pipeline.js";
import type { Assignment } from "../pipeline/types.js";
import { exposuresOf } from "./exposure-logger.js";

const assignment = (experiment: string, forced: boolean): Assignment => ({ experiment, variant: "b", layer: "", params: {}, forced, bucket: 0.3 });

function recommendation(assignments: Assignment[]): Recommendation {
  return {
    requestId: "req-1",
    userId: "u1",
    surface: "home",
    items: [{ itemId: "i1", retrievalScore: 1, sources: ["popularity"], category: "c", score: 0.9 }],
    assignments,
    model: { name: "ctr-mlp", version: "1" },
    degraded: [],
    stages: [],
    sources: [],
    featuresUsed: [],
    ranked: [],
  };
}

describe("exposuresOf", () => {
  const now = new Date("2026-12-03T00:00:00Z");

  it("logs one exposure per assignment actually used, never a forced (QA) one, keyed by request and experiment", () => {
    const exposures = exposuresOf(recommendation([assignment("qa-forced", true), assignment("ranker-test", false)]), now);
    expect(exposures.map((e) => e.msgId)).toEqual(["exposure:req-1:ranker-test"]);
    expect(exposures[0]?.event).toMatchObject({ requestId: "req-1", userId: "u1", surface: "home", itemIds: ["i1"], exposedAt: now });
    expect(exposures[0]?.event.assignment).toMatchObject({ experiment: "ranker-test", variant: "b" });
  });

  it("logs one exposure without an assignment when no experiment applied", () => {
    const exposures = exposuresOf(recommendation([]), now);
    expect(exposures.map((e) => e.msgId)).toEqual(["exposure:req-1:"]);
    expect(exposures[0]?.event.assignment).toBeUndefined();
  });

  it("gives the same message ids when the same response is logged again, so a retry is stored once", () => {
    const r = recommendation([assignment("a", false), assignment("b", false)]);
    expect(exposuresOf(r, now).map((e) => e.msgId)).toEqual(exposuresOf(r, new Date()).map((e) => e.msgId));
  });
});
