import { describe, expect, it } from "vitest";
import type { WorldInteraction, WorldItem } from "../../world/world-types.js";
import { labelExamples } from "./label-examples.js";

const item = (id: string, popularityRank: number) => ({ id, popularityRank }) as WorldItem;
const at = (userId: string, itemId: string, type: WorldInteraction["type"], occurredAt: number) =>
  ({ userId, itemId, type, occurredAt }) as WorldInteraction;

describe("labelExamples", () => {
  const items = Array.from({ length: 50 }, (_, i) => item(`i${i}`, i + 1));
  const options = { from: 1_000, to: 1_000 + 86_400_000, popularNegatives: 2, uniformNegatives: 2, seed: 1 };

  it("labels engaged items 1, viewed-only items 0, adds sampled negatives, and ignores events outside the window", () => {
    const examples = labelExamples(
      [
        at("u1", "i7", "view", 2_000),
        at("u1", "i7", "click", 3_000),
        at("u1", "i8", "view", 4_000),
        at("u1", "i9", "purchase", 500),
        at("u2", "i3", "view", 5_000),
      ],
      items,
      options,
    );
    const u1 = examples.filter((e) => e.userId === "u1");
    expect(u1.find((e) => e.itemId === "i7")?.label).toBe(1);
    expect(u1.find((e) => e.itemId === "i8")?.label).toBe(0);
    expect(u1.find((e) => e.itemId === "i9")?.label ?? 0).toBe(0);
    expect(u1.filter((e) => e.label === 1)).toHaveLength(1);
    expect(u1.length).toBeGreaterThanOrEqual(3);
    expect(new Set(u1.map((e) => e.itemId)).size).toBe(u1.length);
    expect(examples.some((e) => e.userId === "u2")).toBe(false);
  });

  it("is deterministic for a seed", () => {
    const events = [at("u1", "i7", "click", 3_000), at("u3", "i1", "click", 9_000)];
    expect(labelExamples(events, items, options)).toEqual(labelExamples(events, items, options));
  });
});
