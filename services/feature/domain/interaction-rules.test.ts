import { describe, expect, it } from "vitest";
import { FeatureRegistry } from "../registry/feature-registry.js";
import { FEATURE_VIEWS } from "../registry/feature-views.js";
import { categoryBucket } from "./category-hash.js";
import { HOUR_MS } from "./decay.js";
import type { InteractionHappened, InteractionKind } from "./feature-events.js";
import { InteractionRules } from "./interaction-rules.js";
import { ItemRules } from "./item-rules.js";
import type { StoredRow } from "./stored-row.js";

const registry = new FeatureRegistry(FEATURE_VIEWS);
const rules = new InteractionRules(registry);
const items = new ItemRules(registry);
const T0 = Date.UTC(2025, 5, 1);

function interaction(sequence: number, interaction: InteractionKind, timeMs = T0, value = 0): InteractionHappened {
  return { kind: "interaction", sequence, timeMs, userId: "u1", itemId: "i1", interaction, value };
}

function item(sequence: number, category: string, axis: number): StoredRow {
  const embedding = new Float32Array(32);
  embedding[axis] = 1;
  return items.itemContent({ kind: "item_upserted", sequence, timeMs: T0, itemId: `i${axis}`, category, embedding });
}

const at = (view: string, feature: string, row: StoredRow | undefined) => row?.values[registry.column(view, feature)];

describe("item content", () => {
  it("stores the embedding and a one-hot of the hashed category", () => {
    const row = item(3, "books", 5);
    expect(row.sequence).toBe(3);
    expect(at("item_content", "embedding", row)).toBe(0);
    expect(row.values[5]).toBe(1);
    const hash = row.values.subarray(32, 64);
    expect(hash.reduce((a, b) => a + b, 0)).toBe(1);
    expect(hash[categoryBucket("books") ?? -1]).toBe(1);
  });
});

describe("interaction rules", () => {
  it("counts interactions per type in every window, and the total", () => {
    let row = rules.activity(undefined, interaction(1, "view"));
    row = rules.activity(row, interaction(2, "view"));
    row = rules.activity(row, interaction(3, "click"));
    expect(at("user_activity", "views_1h", row)).toBe(2);
    expect(at("user_activity", "views_7d", row)).toBe(2);
    expect(at("user_activity", "clicks_1d", row)).toBe(1);
    expect(at("user_activity", "purchases_1d", row)).toBe(0);
    expect(at("user_activity", "total_interactions", row)).toBe(3);
    expect(row.sequence).toBe(3);
    expect(row.eventTimeMs).toBe(T0);
  });

  it("gives the same counts whatever order events of different times arrive in", () => {
    const a = interaction(1, "view", T0);
    const b = interaction(2, "view", T0 + 3 * HOUR_MS);
    const forward = rules.activity(rules.activity(undefined, a), b);
    const backward = rules.activity(rules.activity(undefined, { ...b, sequence: 1 }), { ...a, sequence: 2 });
    expect(forward.eventTimeMs).toBe(backward.eventTimeMs);
    expect(at("user_activity", "views_1h", forward)).toBeCloseTo(1 + 2 ** -3, 6);
    expect(at("user_activity", "views_1h", backward)).toBeCloseTo(at("user_activity", "views_1h", forward) ?? NaN, 6);
  });

  it("keeps item stats: views, clicks, weighted popularity and lifetime totals", () => {
    let row = rules.itemStats(undefined, interaction(1, "view"));
    row = rules.itemStats(row, interaction(2, "click"));
    row = rules.itemStats(row, interaction(3, "purchase"));
    expect(at("item_stats", "views_7d", row)).toBe(1);
    expect(at("item_stats", "clicks_1d", row)).toBe(1);
    expect(at("item_stats", "purchases_7d", row)).toBe(1);
    expect(at("item_stats", "popularity", row)).toBe(1 + 2 + 5);
    expect(at("item_stats", "total_views", row)).toBe(1);
    expect(at("item_stats", "total_clicks", row)).toBe(1);
  });

  it("makes the taste the weighted mean of item embeddings and the affinity a distribution over categories", () => {
    const books = item(1, "books", 0);
    const toys = item(2, "toys", 1);
    let taste = rules.userTaste(undefined, interaction(3, "click"), books);
    taste = rules.userTaste(taste, interaction(4, "purchase"), toys);
    if (!taste) throw new Error("taste not updated");
    // click weight 1 on books, purchase weight 3 on toys.
    expect(taste.values[0]).toBeCloseTo(0.25, 6);
    expect(taste.values[1]).toBeCloseTo(0.75, 6);
    const affinity = taste.values.subarray(32, 64);
    expect(affinity.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(affinity[categoryBucket("toys") ?? -1]).toBeCloseTo(0.75, 6);
    expect(taste.state[0]).toBeCloseTo(4, 9);
  });

  it("leaves the taste alone for dismissals, low ratings and unknown items", () => {
    const books = item(1, "books", 0);
    expect(rules.userTaste(undefined, interaction(2, "dismiss"), books)).toBeUndefined();
    expect(rules.userTaste(undefined, interaction(3, "rating", T0, 2), books)).toBeUndefined();
    expect(rules.userTaste(undefined, interaction(4, "click"), undefined)).toBeUndefined();
    const liked = rules.userTaste(undefined, interaction(5, "rating", T0, 5), books);
    expect(liked?.state[0]).toBeCloseTo(2.5, 9);
  });

  it("decays old interactions out of the taste", () => {
    const books = item(1, "books", 0);
    const toys = item(2, "toys", 1);
    const old = rules.userTaste(undefined, interaction(3, "click", T0), books);
    const fresh = rules.userTaste(old, interaction(4, "click", T0 + 168 * HOUR_MS), toys);
    // One half-life later the old click weighs 0.5 against the new click's 1.
    expect(fresh?.values[0]).toBeCloseTo(1 / 3, 5);
    expect(fresh?.values[1]).toBeCloseTo(2 / 3, 5);
  });
});
