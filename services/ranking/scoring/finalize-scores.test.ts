import { describe, expect, it } from "vitest";
import { finalizeScores, LOWEST_SCORE } from "./finalize-scores.js";

describe("finalizeScores", () => {
  it("replaces NaN and infinities with the lowest score, counts them and orders best first", () => {
    const out = finalizeScores(new Float32Array([0.5, Number.NaN, 2, Number.POSITIVE_INFINITY, 0.5, Number.NEGATIVE_INFINITY]));
    expect(out.nonFinite).toBe(3);
    expect(out.scores.some((s) => Number.isNaN(s) || !Number.isFinite(s))).toBe(false);
    expect(out.scores[1]).toBe(Math.fround(LOWEST_SCORE));
    expect([...out.order]).toEqual([2, 0, 4, 1, 3, 5]);
  });
});
