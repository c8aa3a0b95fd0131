import { describe, expect, it } from "vitest";
import { finalizeScores, LOWEST_SCORE } from "./finalize-scores.js";

/** The order the keys must reproduce: descending score, ties by input index. */
const byComparator = (scores: Float32Array) => [...scores.keys()].sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);

describe("finalizeScores", () => {
  it("replaces NaN and infinities with the lowest score, counts them and orders best first", () => {
    const out = finalizeScores(new Float32Array([0.5, Number.NaN, 2, Number.POSITIVE_INFINITY, 0.5, Number.NEGATIVE_INFINITY]));
    expect(out.nonFinite).toBe(3);
    expect(out.scores.some((s) => Number.isNaN(s) || !Number.isFinite(s))).toBe(false);
    expect(out.scores[1]).toBe(Math.fround(LOWEST_SCORE));
    expect([...out.order]).toEqual([2, 0, 4, 1, 3, 5]);
  });

  it("orders negative, tied, signed-zero, tiny and extreme scores exactly as a descending comparator with ties in input order", () => {
    const special = [0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, LOWEST_SCORE, -1, 1, 0.25, -0.25];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 8;
    const raw = new Float32Array(600);
    for (let i = 0; i < raw.length; i++) raw[i] = i % 5 === 0 ? (special[i % special.length] as number) : Math.round(random() * 4) / 4;
    const out = finalizeScores(raw);
    expect([...out.order]).toEqual(byComparator(out.scores));
    expect(Object.is(raw[45], -0) && Object.is(out.scores[45], 0)).toBe(true);
  });
});
