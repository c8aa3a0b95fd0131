import { describe, expect, it } from "vitest";
import type { Candidate } from "../domain/candidate-types.js";
import { CategoryFilter, ExcludedItemsFilter, SeenItemsFilter } from "./candidate-filter.js";
import { mergeCandidates } from "./merge-candidates.js";
import { selectWithQuotas } from "./quota-selector.js";
import { fuseRanks } from "./rank-fusion.js";

const list = (source: string, ids: string[]) => ({ source, items: ids.map((itemId, i) => ({ itemId, score: 1 - i / 100 })) });
const categoryOf = (id: string) => (id.startsWith("b") ? "books" : "games");
const fuse = (...lists: ReturnType<typeof list>[]) => fuseRanks(lists, { rrfK: 60, weights: {}, categoryOf });
const ids = (cs: readonly Candidate[]) => cs.map((c) => c.itemId);

describe("reciprocal-rank fusion", () => {
  it("dedupes across sources, keeping every source's score and rank", () => {
    const merged = fuse(list("ann", ["g1", "g2", "b1"]), list("pop", ["b1", "g3"]));
    expect(ids(merged)).toHaveLength(4);
    const b1 = merged.find((c) => c.itemId === "b1");
    expect(b1?.sources).toEqual([
      { source: "ann", score: 0.98, rank: 2 },
      { source: "pop", score: 1, rank: 0 },
    ]);
    expect(b1?.category).toBe("books");
    expect(b1?.score).toBeCloseTo(1 / 63 + 1 / 61);
  });

  it("ranks items several sources agree on first, then by best rank", () => {
    const merged = fuse(list("ann", ["g1", "g2", "g3"]), list("pop", ["g4", "g3"]));
    expect(ids(merged)).toEqual(["g3", "g1", "g4", "g2"]);
  });

  it("counts a source once per item even when it repeats the item", () => {
    const [only] = fuse(list("ann", ["g1", "g1"]));
    expect(only?.sources).toHaveLength(1);
  });

  it("applies per-source weights", () => {
    const merged = fuseRanks([list("ann", ["g1"]), list("pop", ["g2"])], { rrfK: 60, weights: { pop: 2 }, categoryOf });
    expect(ids(merged)).toEqual(["g2", "g1"]);
  });
});

describe("filters", () => {
  const candidates = fuse(list("ann", ["g1", "b1", "g2", "b2", "g3"]));

  it("partition into kept and removed, both in input order", () => {
    const seen = new SeenItemsFilter(new Set(["g2", "b1"])).apply(candidates);
    expect(ids(seen.kept)).toEqual(["g1", "b2", "g3"]);
    expect(ids(seen.removed)).toEqual(["b1", "g2"]);
    const excluded = new ExcludedItemsFilter(["g3"]).apply(candidates);
    expect(ids(excluded.kept)).toEqual(["g1", "b1", "g2", "b2"]);
    expect(ids(excluded.removed)).toEqual(["g3"]);
    const books = new CategoryFilter("books").apply(candidates);
    expect(ids(books.kept)).toEqual(["b1", "b2"]);
    expect(ids(books.removed)).toEqual(["g1", "g2", "g3"]);
  });
});

describe("quotas", () => {
  const quotas = (entries: [string, number][]) => new Map(entries);

  it("stop one source from crowding out the others while they have candidates", () => {
    const merged = fuse(list("ann", ["a1", "a2", "a3", "a4", "a5", "a6"]), list("pop", ["p1", "p2", "p3"]));
    const picked = selectWithQuotas(merged, 6, quotas([["ann", 3], ["pop", 6]]));
    expect(ids(picked).filter((id) => id.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(ids(picked).filter((id) => id.startsWith("p"))).toEqual(["p1", "p2", "p3"]);
  });

  it("keep the merged order in the output", () => {
    const merged = fuse(list("ann", ["a1", "a2", "a3"]), list("pop", ["p1", "p2", "p3"]));
    const picked = selectWithQuotas(merged, 4, quotas([["ann", 2], ["pop", 2]]));
    expect(ids(picked)).toEqual(ids(merged).filter((id) => ["a1", "a2", "p1", "p2"].includes(id)));
  });

  it("backfill free slots from capped sources when nothing else is left", () => {
    const merged = fuse(list("ann", ["a1", "a2", "a3", "a4"]), list("pop", ["p1"]));
    expect(ids(selectWithQuotas(merged, 4, quotas([["ann", 2], ["pop", 2]])))).toEqual(["a1", "p1", "a2", "a3"]);
  });

  it("charge an item found by several sources to one with quota left", () => {
    const merged = fuse(list("ann", ["x", "a1", "a2"]), list("pop", ["x", "p1", "p2"]));
    const picked = selectWithQuotas(merged, 4, quotas([["ann", 2], ["pop", 2]]));
    expect(ids(picked)).toEqual(["x", "a1", "p1", "p2"]);
  });
});

describe("mergeCandidates", () => {
  it("filters before the quotas, counts seen and request exclusions, not the category filter", () => {
    const result = mergeCandidates([list("ann", ["g1", "b1", "g2", "b2"]), list("pop", ["b3", "g1", "g4"])], {
      k: 10,
      quotas: new Map(),
      filters: [new ExcludedItemsFilter(["b2"]), new SeenItemsFilter(new Set(["g1"])), new CategoryFilter("books")],
      rrfK: 60,
      weights: {},
      categoryOf,
    });
    expect(ids(result.candidates)).toEqual(["b3", "b1"]);
    expect(result.excluded).toBe(2);
    expect(result.removedBy).toEqual({ excluded_items: 1, seen_items: 1, category: 2 });
  });

  it("returns at most k", () => {
    const result = mergeCandidates([list("ann", ["g1", "g2", "g3"])], { k: 2, quotas: new Map(), filters: [], rrfK: 60, weights: {}, categoryOf });
    expect(ids(result.candidates)).toEqual(["g1", "g2"]);
  });
});
