import { describe, expect, it } from "vitest";
import { generateWorld } from "./generate-world.js";
import { dot } from "./vectors.js";
import { resolveWorldOptions } from "./world-options.js";
import type { WorldInteractionType } from "./world-types.js";

/** Statistical sanity of the behaviour model, with margins wide enough to survive tuning. */
describe("synthetic world statistics", () => {
  const world = generateWorld(resolveWorldOptions({ preset: "small", seed: 11, endTime: Date.UTC(2025, 0, 20) }));
  const items = new Map(world.items.map((i) => [i.id, i]));
  const users = new Map(world.users.map((u) => [u.id, u]));
  const count = (type: WorldInteractionType) => world.interactions.filter((i) => i.type === type).length;

  it("has heavy-tailed item popularity", () => {
    const views = new Map<string, number>();
    for (const i of world.interactions) if (i.type === "view") views.set(i.itemId, (views.get(i.itemId) ?? 0) + 1);
    const sorted = [...views.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const topOnePercent = sorted.slice(0, world.items.length / 100).reduce((a, b) => a + b, 0);
    expect(topOnePercent / total).toBeGreaterThan(0.05);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    expect(sorted[0] ?? 0).toBeGreaterThan(10 * median);
  });

  it("narrows down the funnel: views > clicks > add-to-cart > purchases, at plausible rates", () => {
    const [views, clicks, carts, purchases] = [count("view"), count("click"), count("add_to_cart"), count("purchase")];
    expect(views).toBeGreaterThan(clicks);
    expect(clicks).toBeGreaterThan(carts);
    expect(carts).toBeGreaterThan(purchases);
    expect(purchases).toBeGreaterThan(0);
    expect(clicks / views).toBeGreaterThan(0.05);
    expect(clicks / views).toBeLessThan(0.5);
    expect(purchases / views).toBeLessThan(0.1);
  });

  it("makes users engage with items near their taste far more than with random items", () => {
    const affinity = (userId: string, itemId: string) => dot(users.get(userId)?.taste ?? [], items.get(itemId)?.embedding ?? []);
    const clicked = world.interactions.filter((i) => i.type === "click");
    const meanClicked = clicked.reduce((s, i) => s + affinity(i.userId, i.itemId), 0) / clicked.length;
    let random = 0;
    const pairs = 5_000;
    for (let k = 0; k < pairs; k++) random += affinity(world.users[k % world.users.length]?.id ?? "", world.items[(k * 7_919) % world.items.length]?.id ?? "");
    expect(meanClicked - random / pairs).toBeGreaterThan(0.2);
    const purchased = world.interactions.filter((i) => i.type === "purchase");
    expect(purchased.reduce((s, i) => s + affinity(i.userId, i.itemId), 0) / purchased.length).toBeGreaterThan(meanClicked - 0.1);
  });

  it("spreads activity unevenly across users and sessions across the whole window", () => {
    const perUser = new Map<string, number>();
    for (const i of world.interactions) perUser.set(i.userId, (perUser.get(i.userId) ?? 0) + 1);
    const counts = [...perUser.values()].sort((a, b) => b - a);
    expect(counts[0] ?? 0).toBeGreaterThan(3 * (counts[Math.floor(counts.length / 2)] ?? 0));
    const days = new Set(world.interactions.map((i) => Math.floor(i.occurredAt / 86_400_000)));
    expect(days.size).toBe(world.options.days - world.options.heldoutDays);
  });
});
