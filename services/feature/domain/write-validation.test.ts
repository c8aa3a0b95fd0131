import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { FeatureRegistry } from "../registry/feature-registry.js";
import { FEATURE_VIEWS } from "../registry/feature-views.js";
import { applyWrite } from "./write-rules.js";
import { validateWrite, type WriteInputEntity } from "./write-validation.js";

const registry = new FeatureRegistry(FEATURE_VIEWS);
const NOW = Date.UTC(2025, 0, 2);
const vector = (n: number) => ({ name: "user_taste:embedding", kind: "vector" as const, numbers: new Array<number>(n).fill(0.5) });

function rejection(view: string, entities: WriteInputEntity[], maxEntities = 10): InvalidArgumentError {
  try {
    validateWrite(registry, view, entities, { maxEntities, nowMs: NOW });
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err;
    throw err;
  }
  throw new Error("write was accepted");
}

describe("write validation", () => {
  it("accepts typed values named view:feature or bare, defaulting the time to now", () => {
    const valid = validateWrite(
      registry,
      "user_taste",
      [{ entityId: "u1", timeMs: undefined, values: [vector(32), { name: "category_affinity", kind: "vector", numbers: new Array<number>(32).fill(0) }] }],
      { maxEntities: 10, nowMs: NOW },
    );
    expect(valid.entities[0]).toMatchObject({ entityId: "u1", timeMs: NOW });
    expect(valid.entities[0]?.values.map((v) => v.feature)).toEqual(["embedding", "category_affinity"]);
  });

  it("names the field and the problem", () => {
    expect(rejection("nope", [{ entityId: "u", timeMs: undefined, values: [vector(32)] }]).field).toBe("view");
    expect(rejection("user_taste", []).message).toContain("at most 10");
    expect(rejection("user_taste", [{ entityId: "", timeMs: undefined, values: [vector(32)] }]).field).toBe("entities[0]");
    expect(rejection("user_taste", [{ entityId: "u", timeMs: undefined, values: [vector(31)] }]).message).toContain("dimension 32, got 31");
    const wrongView = rejection("user_taste", [{ entityId: "u", timeMs: undefined, values: [{ name: "item_stats:ctr_7d", kind: "float", numbers: [1] }] }]);
    expect(wrongView.field).toBe("entities[0].values[0].name");
    const computed = rejection("user_activity", [{ entityId: "u", timeMs: undefined, values: [{ name: "ctr_7d", kind: "float", numbers: [1] }] }]);
    expect(computed.message).toContain("computed at read time");
    const notInt = rejection("item_stats", [{ entityId: "i", timeMs: undefined, values: [{ name: "total_views", kind: "float", numbers: [1.5] }] }]);
    expect(notInt.message).toContain("is an int");
    const nan = rejection("item_stats", [{ entityId: "i", timeMs: undefined, values: [{ name: "popularity", kind: "float", numbers: [NaN] }] }]);
    expect(nan.message).toContain("finite");
    const twice = rejection("user_taste", [{ entityId: "u", timeMs: undefined, values: [vector(32), vector(32)] }]);
    expect(twice.field).toBe("entities[0].values[1].name");
    expect(rejection("user_taste", [{ entityId: "u", timeMs: undefined, values: [] }]).field).toBe("entities[0].values");
  });

  it("applies a write over the stored row, keeping features it does not name", () => {
    const view = registry.find("item_stats");
    if (!view) throw new Error("no item_stats");
    const { entities } = validateWrite(registry, "item_stats", [{ entityId: "i", timeMs: NOW, values: [{ name: "total_views", kind: "int", numbers: [42] }] }], {
      maxEntities: 1,
      nowMs: NOW,
    });
    const first = applyWrite(view, undefined, entities[0] ?? { entityId: "", timeMs: 0, values: [] }, 9);
    expect(first.values[registry.column("item_stats", "total_views")]).toBe(42);
    expect(first.values[registry.column("item_stats", "ctr_7d")]).toBeCloseTo(0.05, 6);
    expect(first.sequence).toBe(9);
    const second = applyWrite(view, first, { entityId: "i", timeMs: NOW, values: [{ feature: "total_clicks", values: [3] }] }, 10);
    expect(second.values[registry.column("item_stats", "total_views")]).toBe(42);
    expect(second.values[registry.column("item_stats", "total_clicks")]).toBe(3);
  });
});
