import { describe, expect, it } from "vitest";
import { DecayedPopularity } from "./decayed-popularity.js";
import { TopList } from "./top-list.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 1);
const ranked = (p: DecayedPopularity, category?: string) => [...p.ranked(category)].map((e) => e.label);

describe("DecayedPopularity", () => {
  it("halves an interaction's worth every half-life", () => {
    const p = new DecayedPopularity({ halfLifeHours: 24, capacity: 10 });
    p.add(0, "c", 8, T0);
    expect(p.scoreAt(p.key(0), T0)).toBeCloseTo(8);
    expect(p.scoreAt(p.key(0), T0 + 24 * HOUR)).toBeCloseTo(4);
    expect(p.scoreAt(p.key(0), T0 + 72 * HOUR)).toBeCloseTo(1);
  });

  it("sums decayed weights, whatever order the events arrive in", () => {
    const a = new DecayedPopularity({ halfLifeHours: 24, capacity: 10 });
    const b = new DecayedPopularity({ halfLifeHours: 24, capacity: 10 });
    a.add(0, "c", 1, T0);
    a.add(0, "c", 3, T0 + 24 * HOUR);
    b.add(0, "c", 3, T0 + 24 * HOUR);
    b.add(0, "c", 1, T0);
    expect(a.scoreAt(a.key(0), T0 + 24 * HOUR)).toBeCloseTo(3.5);
    expect(b.key(0)).toBeCloseTo(a.key(0), 12);
  });

  it("ranks recent interest above older interest of the same total weight", () => {
    const p = new DecayedPopularity({ halfLifeHours: 24, capacity: 10 });
    p.add(0, "c", 10, T0);
    p.add(1, "c", 6, T0 + 48 * HOUR);
    expect(ranked(p)).toEqual([1, 0]);
  });

  it("keeps global and per-category rankings, and ignores weightless interactions", () => {
    const p = new DecayedPopularity({ halfLifeHours: 24, capacity: 10 });
    p.add(0, "books", 1, T0);
    p.add(1, "games", 5, T0);
    p.add(2, "books", 3, T0);
    p.add(3, "books", 0, T0);
    expect(ranked(p)).toEqual([1, 2, 0]);
    expect(ranked(p, "books")).toEqual([2, 0]);
    expect(ranked(p, "toys")).toEqual([]);
  });

  it("moves an item between category lists and refills the list it left", () => {
    const p = new DecayedPopularity({ halfLifeHours: 24, capacity: 2 });
    for (const [label, weight] of [[0, 5], [1, 4], [2, 3]] as const) p.add(label, "books", weight, T0);
    expect(ranked(p, "books")).toEqual([0, 1]);
    p.recategorise(0, "books", "games", () => [0, 1, 2]);
    expect(ranked(p, "books")).toEqual([1, 2]);
    expect(ranked(p, "games")).toEqual([0]);
  });

  it("restores the same rankings from its saved keys", () => {
    const p = new DecayedPopularity({ halfLifeHours: 24, capacity: 2 });
    const categories = ["books", "games", "books", "books"];
    [4, 9, 2, 7].forEach((w, label) => p.add(label, categories[label] as string, w, T0 + label * HOUR));
    const restored = DecayedPopularity.restore({ halfLifeHours: 24, capacity: 2 }, p.export(), (l) => categories[l] as string);
    expect(ranked(restored)).toEqual(ranked(p));
    expect(ranked(restored, "books")).toEqual(ranked(p, "books"));
  });
});

describe("TopList", () => {
  it("keeps the highest keys, best first, ties by label", () => {
    const list = new TopList(3);
    for (const [label, key] of [[5, 1], [2, 4], [7, 4], [1, 0], [9, 3]] as const) list.offer(label, key);
    expect([...list.entries()].map((e) => e.label)).toEqual([2, 7, 9]);
  });

  it("moves a member whose key grew and lets a grown outsider back in", () => {
    const list = new TopList(2);
    list.offer(1, 1);
    list.offer(2, 2);
    list.offer(3, 0.5);
    list.offer(1, 3);
    expect([...list.entries()].map((e) => e.label)).toEqual([1, 2]);
    list.offer(3, 5);
    expect([...list.entries()].map((e) => e.label)).toEqual([3, 1]);
  });
});
