import { describe, expect, it } from "vitest";
import { CoVisitationCounts } from "./co-visitation-counts.js";
import { UserHistories } from "./user-histories.js";

const MIN = 60_000;
const histories = () => new UserHistories({ recentItems: 3, seenItems: 4, windowMs: 30 * MIN });

describe("UserHistories", () => {
  it("pairs an interaction with the distinct items before it in the window, nearest first", () => {
    const h = histories();
    expect(h.record("u", 1, 0, true)).toEqual([]);
    expect(h.record("u", 2, MIN, true)).toEqual([1]);
    expect(h.record("u", 3, 2 * MIN, true)).toEqual([2, 1]);
    expect(h.record("u", 4, 45 * MIN, true)).toEqual([]);
  });

  it("does not pair the funnel of one item (view → click → cart) again", () => {
    const h = histories();
    h.record("u", 1, 0, true);
    expect(h.record("u", 2, MIN, true)).toEqual([1]);
    expect(h.record("u", 2, 2 * MIN, true)).toEqual([]);
    expect(h.record("u", 2, 3 * MIN, true)).toEqual([]);
  });

  it("keeps the newest distinct recent items, most recent first, and a bounded seen-set", () => {
    const h = histories();
    for (const [label, t] of [[1, 0], [2, 1], [3, 2], [1, 3], [4, 4], [5, 5]] as const) h.record("u", label, t * MIN, true);
    expect(h.recent("u")).toEqual([5, 4, 1]);
    expect([...h.seen("u")]).toEqual([3, 1, 4, 5]);
    expect(h.recent("nobody")).toEqual([]);
  });

  it("adds a dismissal to the seen-set only", () => {
    const h = histories();
    h.record("u", 1, 0, true);
    expect(h.record("u", 2, MIN, false)).toEqual([]);
    expect(h.recent("u")).toEqual([1]);
    expect(h.seen("u").has(2)).toBe(true);
  });
});

describe("CoVisitationCounts", () => {
  it("counts directed transitions with their weights", () => {
    const c = new CoVisitationCounts(10);
    c.add(1, 2, 1);
    c.add(1, 2, 0.5);
    c.add(1, 3, 1);
    c.add(2, 1, 1);
    c.add(1, 1, 1);
    expect(Object.fromEntries(c.neighbours(1) ?? [])).toEqual({ 2: 1.5, 3: 1 });
    expect(c.total(1)).toBe(2.5);
    expect(Object.fromEntries(c.neighbours(2) ?? [])).toEqual({ 1: 1 });
  });

  it("keeps at most `capacity` neighbours, replacing the weakest with its weight carried over", () => {
    const c = new CoVisitationCounts(2);
    c.add(1, 2, 3);
    c.add(1, 3, 1);
    c.add(1, 4, 1);
    expect(Object.fromEntries(c.neighbours(1) ?? [])).toEqual({ 2: 3, 4: 2 });
    expect(c.total(1)).toBe(5);
  });

  it("round-trips through its exported state", () => {
    const c = new CoVisitationCounts(2);
    c.add(1, 2, 3);
    c.add(1, 3, 1);
    c.add(1, 4, 1);
    c.add(7, 1, 0.5);
    const restored = CoVisitationCounts.restore(2, c.export());
    expect(restored.export()).toEqual(c.export());
    expect(restored.total(1)).toBe(5);
  });
});
