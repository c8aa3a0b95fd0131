import { describe, expect, it } from "vitest";
import { derivedEmbedding } from "./derived-embedding.js";
import { dot, norm } from "./vectors.js";

describe("derivedEmbedding", () => {
  it("is deterministic, unit-norm and 32-dim", () => {
    const e = derivedEmbedding("1", "Adventure", ["Adventure", "Animation"]);
    expect(e).toHaveLength(32);
    expect(norm(e)).toBeCloseTo(1, 4);
    expect(derivedEmbedding("1", "Adventure", ["Adventure", "Animation"])).toEqual(e);
  });

  it("places items of one category together, closer still when they share tags", () => {
    const toyStory = derivedEmbedding("1", "Adventure", ["Adventure", "Animation", "Children"]);
    const sameTags = derivedEmbedding("2", "Adventure", ["Adventure", "Animation", "Children"]);
    const sameCategory = derivedEmbedding("3", "Adventure", ["Adventure", "Western"]);
    const other = derivedEmbedding("4", "Horror", ["Horror", "Thriller"]);
    expect(dot(toyStory, sameTags)).toBeGreaterThan(dot(toyStory, sameCategory));
    expect(dot(toyStory, sameCategory)).toBeGreaterThan(dot(toyStory, other) + 0.3);
    expect(dot(toyStory, sameTags)).toBeLessThan(0.9999);
  });
});
