import { describe, expect, it } from "vitest";
import type { ScoredCandidate } from "../pipeline/types.js";
import { CategoryCapFilter } from "./category-cap-filter.js";
import { DuplicateItemsFilter } from "./duplicate-items-filter.js";
import { SeenItemsFilter } from "./seen-items-filter.js";

const item = (itemId: string, category: string, score: number): ScoredCandidate => ({
  itemId,
  category,
  score,
  retrievalScore: score,
  sources: ["popularity"],
});

const ids = (items: { itemId: string }[]) => items.map((i) => i.itemId);

describe("post-ranking filters", () => {
  const ranked = [item("a", "shoes", 9), item("b", "shoes", 8), item("c", "books", 7), item("d", "shoes", 6), item("e", "books", 5)];

  it("SeenItemsFilter removes excluded items and keeps the rest in order", () => {
    const r = new SeenItemsFilter().apply(ranked, { excluded: new Set(["b", "e", "zzz"]) });
    expect(ids(r.kept)).toEqual(["a", "c", "d"]);
    expect(r.removed).toEqual([
      { itemId: "b", reason: "SeenItemsFilter" },
      { itemId: "e", reason: "SeenItemsFilter" },
    ]);
  });

  it("CategoryCapFilter caps each category within the window, in rank order", () => {
    const r = new CategoryCapFilter(1, 10).apply(ranked);
    expect(ids(r.kept)).toEqual(["a", "c"]);
    expect(ids(r.removed)).toEqual(["b", "d", "e"]);
    expect(r.removed.every((x) => x.reason === "CategoryCapFilter")).toBe(true);
    const windowed = new CategoryCapFilter(1, 2).apply(ranked);
    expect(ids(windowed.kept)).toEqual(["a", "c", "d", "e"]);
  });

  it("DuplicateItemsFilter keeps the first occurrence", () => {
    const r = new DuplicateItemsFilter().apply([item("a", "x", 3), item("b", "x", 2), item("a", "x", 1)]);
    expect(ids(r.kept)).toEqual(["a", "b"]);
    expect(r.removed).toEqual([{ itemId: "a", reason: "DuplicateItemsFilter" }]);
  });
});
