import { describe, expect, it } from "vitest";
import { generateWorld } from "./generate-world.js";
import { norm } from "./vectors.js";
import { worldManifest } from "./world-files.js";
import { resolveWorldOptions } from "./world-options.js";

const END = Date.UTC(2025, 5, 14, 13);
const small = (seed: number) => resolveWorldOptions({ preset: "small", seed, endTime: END });

describe("generateWorld", () => {
  const world = generateWorld(small(7));

  it("is a pure function of its options: same seed, same fingerprint; another seed, another world", () => {
    const again = worldManifest(generateWorld(small(7)));
    expect(again.fingerprint).toBe(worldManifest(world).fingerprint);
    expect(again.files).toEqual(worldManifest(world).files);
    expect(worldManifest(generateWorld(small(8))).fingerprint).not.toBe(again.fingerprint);
    const laterEnd = resolveWorldOptions({ preset: "small", seed: 7, endTime: END + 3_600_000 });
    expect(worldManifest(generateWorld(laterEnd)).fingerprint).not.toBe(again.fingerprint);
  });

  it("builds the requested catalog and users with unit-norm 32-dim vectors", () => {
    expect(world.items).toHaveLength(2_000);
    expect(world.users).toHaveLength(400);
    expect(new Set(world.items.map((i) => i.id)).size).toBe(2_000);
    expect(new Set(world.items.map((i) => i.category)).size).toBe(20);
    for (const item of world.items) {
      expect(item.embedding).toHaveLength(32);
      expect(norm(item.embedding)).toBeCloseTo(1, 4);
      expect(item.tags.length).toBeGreaterThan(0);
    }
    for (const user of world.users) {
      expect(user.taste).toHaveLength(32);
      expect(norm(user.taste)).toBeCloseTo(1, 4);
      expect(user.tasteComponents.length).toBeGreaterThanOrEqual(1);
      expect(user.tasteComponents.length).toBeLessThanOrEqual(3);
    }
  });

  it("orders the history in time and names every event with a unique deterministic id", () => {
    const all = [...world.interactions, ...world.heldout];
    for (let i = 1; i < world.interactions.length; i++) {
      expect(world.interactions[i]?.occurredAt).toBeGreaterThanOrEqual(world.interactions[i - 1]?.occurredAt ?? 0);
    }
    expect(new Set(all.map((i) => i.eventId)).size).toBe(all.length);
    expect(world.interactions[0]?.eventId).toBe("world-7-2025061413-1");
    const windowStart = END - 14 * 86_400_000;
    expect(all.every((i) => i.occurredAt >= windowStart && i.occurredAt < END)).toBe(true);
  });

  it("holds out the last day: disjoint from training, strictly later, and never empty", () => {
    expect(world.heldout.length).toBeGreaterThan(0);
    expect(world.heldoutFrom).toBe(END - 86_400_000);
    const training = new Set(world.interactions.map((i) => i.eventId));
    expect(world.heldout.some((i) => training.has(i.eventId))).toBe(false);
    const lastTraining = Math.max(...world.interactions.map((i) => i.occurredAt));
    expect(Math.min(...world.heldout.map((i) => i.occurredAt))).toBeGreaterThan(lastTraining);
    expect(world.heldout.every((i) => i.occurredAt >= world.heldoutFrom)).toBe(true);
  });

  it("only lets users interact with items that exist at the time", () => {
    const created = new Map(world.items.map((i) => [i.id, i.createdAt]));
    expect(world.interactions.every((i) => (created.get(i.itemId) ?? Infinity) <= i.occurredAt)).toBe(true);
  });

  it("refuses impossible options, naming the option", () => {
    expect(() => resolveWorldOptions({ items: 5, endTime: END })).toThrow(/world option items/);
    expect(() => resolveWorldOptions({ days: 3, heldoutDays: 3, endTime: END })).toThrow(/world option heldoutDays: must be less than days/);
    expect(() => resolveWorldOptions({ endTime: END + 1 })).toThrow(/world option endTime: must be on a whole hour/);
  });
});
