import { describe, expect, it } from "vitest";
import { ndcgAtK, recallAtK, relevantItemsByUser } from "./evaluation.js";
import { generateWorld } from "./generate-world.js";
import { dot } from "./vectors.js";
import { resolveWorldOptions } from "./world-options.js";
import type { WorldInteraction } from "./world-types.js";

const at = (userId: string, itemId: string, type: WorldInteraction["type"]): WorldInteraction => ({
  eventId: `${userId}-${itemId}-${type}`,
  userId,
  itemId,
  type,
  occurredAt: 0,
  value: 0,
  session: "s",
  surface: "home",
});

describe("evaluation helpers", () => {
  it("collects each user's distinct relevant items of the chosen types", () => {
    const heldout = [at("u1", "a", "view"), at("u1", "b", "click"), at("u1", "b", "purchase"), at("u2", "c", "add_to_cart")];
    expect(relevantItemsByUser(heldout)).toEqual(new Map([["u1", ["b"]], ["u2", ["c"]]]));
    expect(relevantItemsByUser(heldout, ["view"]).get("u1")).toEqual(["a"]);
  });

  it("computes recall@k and NDCG@k with binary relevance", () => {
    expect(recallAtK(["a", "x", "b"], ["a", "b"], 3)).toBe(1);
    expect(recallAtK(["a", "x", "b"], ["a", "b"], 2)).toBe(0.5);
    expect(recallAtK(["x"], [], 10)).toBe(0);
    expect(ndcgAtK(["a", "b"], ["a", "b"], 2)).toBeCloseTo(1, 10);
    expect(ndcgAtK(["x", "a"], ["a"], 2)).toBeCloseTo(1 / Math.log2(3), 10);
    expect(ndcgAtK(["a", "a"], ["a", "b"], 2)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 10);
  });

  it("makes the held-out slice predictable from the latent tastes: a taste oracle beats random by far", () => {
    const world = generateWorld(resolveWorldOptions({ preset: "small", seed: 3, endTime: Date.UTC(2025, 2, 1) }));
    const relevant = relevantItemsByUser(world.heldout);
    expect(relevant.size).toBeGreaterThan(10);
    let oracle = 0;
    let random = 0;
    for (const user of world.users) {
      const wanted = relevant.get(user.id);
      if (!wanted) continue;
      const ranked = world.items
        .map((item) => ({ id: item.id, score: 10 * dot(user.taste, item.embedding) - Math.log(item.popularityRank + 5) }))
        .sort((a, b) => b.score - a.score)
        .map((s) => s.id);
      oracle += recallAtK(ranked, wanted, 100);
      random += recallAtK(world.items.filter((_, i) => i % 20 === user.id.length % 20).map((i) => i.id), wanted, 100);
    }
    expect(oracle / relevant.size).toBeGreaterThan(0.3);
    expect(oracle).toBeGreaterThan(5 * random);
  });
});
