import { describe, expect, it } from "vitest";
import { UnavailableError } from "../../kit/errors/errors.js";
import { SourceSkippedError } from "../domain/candidate-source.js";
import type { SourceContext, UserProfile } from "../domain/candidate-types.js";
import { T0, applyAll, direction, interaction, item, newIndex } from "../testing/index-fixtures.js";
import { CoVisitationCandidateSource } from "./co-visitation-candidate-source.js";
import { EmbeddingAnnCandidateSource } from "./embedding-ann-candidate-source.js";
import { PopularityCandidateSource } from "./popularity-candidate-source.js";
import type { TasteEmbeddings } from "./taste-embeddings.js";

const context = (category?: string): SourceContext => ({ attributes: {}, category, deadline: Date.now() + 1_000 });
const signal = () => new AbortController().signal;
const ids = (items: { itemId: string }[]) => items.map((i) => i.itemId);

function world() {
  const index = newIndex();
  applyAll(index, [
    item("b1", "books", direction(0)),
    item("b2", "books", direction(0, 1, 0.2)),
    item("b3", "books", direction(0, 1, 0.6)),
    item("g1", "games", direction(0, 1, 0.1)),
    item("g2", "games", direction(9)),
    item("gone", "books", direction(0), false),
    interaction("u1", "b1", 0, "view"),
    interaction("u1", "g1", 1, "view"),
    interaction("u2", "b1", 10, "view"),
    interaction("u2", "g1", 11, "purchase"),
    interaction("u3", "b1", 20, "view"),
    interaction("u3", "b2", 21, "view"),
    interaction("u4", "gone", 30, "purchase"),
    interaction("u4", "b3", 31, "view"),
  ]);
  return index;
}

/** Taste embeddings held in memory, for source tests (the real one is the feature service client). */
class TasteTable implements TasteEmbeddings {
  constructor(private readonly tastes: Record<string, Float32Array | "down">) {}

  async tasteOf(userId: string): Promise<Float32Array | undefined> {
    const taste = this.tastes[userId];
    if (taste === "down") throw new UnavailableError("UNAVAILABLE: connection refused");
    return taste;
  }
}

describe("PopularityCandidateSource", () => {
  it("returns retrievable items by decayed popularity, globally or per category", async () => {
    const source = new PopularityCandidateSource(world(), () => T0);
    const anyone: UserProfile = { userId: "x", recentItems: [], seen: new Set() };
    expect(ids(await source.fetch(anyone, context(), 10))).toEqual(["g1", "b1", "b3", "b2"]);
    expect(ids(await source.fetch(anyone, context("books"), 2))).toEqual(["b1", "b3"]);
  });
});

describe("CoVisitationCandidateSource", () => {
  it("votes for what followed the user's recent items, latest anchors weighing most", async () => {
    const source = new CoVisitationCandidateSource(world());
    const user: UserProfile = { userId: "x", recentItems: ["b1"], seen: new Set() };
    const items = await source.fetch(user, context(), 10);
    expect(ids(items)).toEqual(["g1", "b2"]);
    expect(items[0]?.score).toBeCloseTo(2 / 3);
    expect(ids(await source.fetch(user, context("books"), 10))).toEqual(["b2"]);
  });

  it("is skipped for a user without recent interactions", async () => {
    const source = new CoVisitationCandidateSource(world());
    await expect(source.fetch({ userId: "x", recentItems: [], seen: new Set() }, context(), 10)).rejects.toBeInstanceOf(SourceSkippedError);
  });
});

describe("EmbeddingAnnCandidateSource", () => {
  const user = (userId: string): UserProfile => ({ userId, recentItems: [], seen: new Set() });
  const source = () => new EmbeddingAnnCandidateSource(world(), new TasteTable({ fan: direction(0), zero: new Float32Array(32), cut: "down" }));

  it("returns the nearest retrievable items to the taste embedding, with cosine scores", async () => {
    const items = await source().fetch(user("fan"), context(), 3, signal());
    expect(ids(items)).toEqual(["b1", "g1", "b2"]);
    expect(items[0]?.score).toBeCloseTo(1);
    expect(ids(await source().fetch(user("fan"), context("books"), 10, signal()))).toEqual(["b1", "b2", "b3"]);
  });

  it("is skipped with the reason when the user has no embedding or the feature service is down", async () => {
    await expect(source().fetch(user("stranger"), context(), 3, signal())).rejects.toThrow(/no taste embedding/);
    await expect(source().fetch(user("zero"), context(), 3, signal())).rejects.toThrow(/all zeros/);
    const down = source().fetch(user("cut"), context(), 3, signal());
    await expect(down).rejects.toBeInstanceOf(SourceSkippedError);
    await expect(down).rejects.toThrow("feature service unavailable: UNAVAILABLE: connection refused");
  });
});
