import { describe, expect, it } from "vitest";
import { applyAll, direction, interaction, item, newIndex } from "../testing/index-fixtures.js";
import type { IndexEvent } from "./index-events.js";

const EVENTS: IndexEvent[] = [
  item("a", "books", direction(0)),
  item("b", "books", direction(0, 1, 0.3)),
  item("c", "games", direction(5)),
  interaction("u1", "a", 0, "view"),
  interaction("u1", "b", 1, "click"),
  interaction("u2", "a", 2, "view"),
  interaction("u2", "b", 3, "purchase"),
  interaction("u2", "c", 4, "dismiss"),
  item("d", "games", direction(6)),
  interaction("u3", "ghost", 5, "view"),
];

describe("CandidateIndex", () => {
  it("applies each sequence once: a redelivered event changes nothing", () => {
    const index = newIndex();
    applyAll(index, EVENTS);
    const before = index.export();
    expect(index.apply(5, EVENTS[4])).toBe(false);
    expect(index.apply(EVENTS.length, EVENTS[EVENTS.length - 1])).toBe(false);
    expect(index.export()).toEqual(before);
    expect(index.lastSequence).toBe(EVENTS.length);
  });

  it("rebuilds the same state when the stream is replayed from the start", () => {
    const live = newIndex();
    applyAll(live, EVENTS.slice(0, 4));
    applyAll(live, EVENTS.slice(2), 3);
    const replayed = newIndex();
    applyAll(replayed, EVENTS);
    expect(replayed.export()).toEqual(live.export());
    const query = direction(0);
    expect(replayed.vectors.search(query, 3)).toEqual(live.vectors.search(query, 3));
  });

  it("advances over events it ignores", () => {
    const index = newIndex();
    expect(index.apply(7, undefined)).toBe(true);
    expect(index.lastSequence).toBe(7);
  });

  it("knows each user's recent items and seen-set, dismissals included in the latter", () => {
    const index = newIndex();
    applyAll(index, EVENTS);
    expect(index.profile("u2")).toEqual({ userId: "u2", recentItems: ["b", "a"], seen: new Set(["a", "b", "c"]) });
    expect(index.profile("nobody")).toEqual({ userId: "nobody", recentItems: [], seen: new Set() });
  });

  it("counts co-visitation and popularity, and keeps interacted-only items unretrievable", () => {
    const index = newIndex();
    applyAll(index, EVENTS);
    const { catalog, coVisitation, popularity } = index;
    const a = catalog.label("a") as number;
    const b = catalog.label("b") as number;
    expect(coVisitation.neighbours(a)?.get(b)).toBe(2);
    expect([...popularity.ranked(undefined)].map((e) => catalog.itemId(e.label)).slice(0, 2)).toEqual(["b", "a"]);
    expect(catalog.retrievable(catalog.label("ghost") as number)).toBe(false);
    expect(index.categoryOf("d")).toBe("games");
    expect(index.categoryOf("nothing")).toBe("");
  });

  it("tracks availability and category changes", () => {
    const index = newIndex();
    applyAll(index, [...EVENTS, item("a", "games", undefined, false)]);
    const a = index.catalog.label("a") as number;
    expect(index.catalog.retrievable(a)).toBe(false);
    expect(index.catalog.unavailableCount).toBe(1);
    expect([...index.popularity.ranked("books")].map((e) => e.label)).not.toContain(a);
    expect([...index.popularity.ranked("games")].map((e) => e.label)).toContain(a);
    index.apply(100, item("a", "games", undefined, true));
    expect(index.catalog.unavailableCount).toBe(0);
    expect(index.vectors.size).toBe(4);
  });
});
