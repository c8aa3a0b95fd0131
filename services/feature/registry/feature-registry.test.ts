import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { FeatureRegistry } from "./feature-registry.js";
import { FEATURE_VIEWS } from "./feature-views.js";

const registry = new FeatureRegistry(FEATURE_VIEWS);

describe("FeatureRegistry", () => {
  it("declares the shared views exactly as the other services read them", () => {
    const shape = (name: string) =>
      registry.find(name)?.features.map((f) => ({ name: f.name, type: f.type, dimension: f.dimension, offset: f.offset }));
    expect(registry.find("item_content")).toMatchObject({ entity: "item", version: 1, width: 64 });
    expect(shape("item_content")).toEqual([
      { name: "embedding", type: "vector", dimension: 32, offset: 0 },
      { name: "category_hash", type: "vector", dimension: 32, offset: 32 },
    ]);
    expect(registry.find("user_taste")).toMatchObject({ entity: "user", version: 1, width: 64 });
    expect(shape("user_taste")).toEqual([
      { name: "embedding", type: "vector", dimension: 32, offset: 0 },
      { name: "category_affinity", type: "vector", dimension: 32, offset: 32 },
    ]);
  });

  it("lays every view out contiguously: offsets are running sums and width is the total", () => {
    for (const view of registry.views) {
      let offset = 0;
      for (const f of view.features) {
        expect(f.offset, f.qualifiedName).toBe(offset);
        offset += f.dimension;
      }
      expect(view.width).toBe(offset);
      expect(view.defaultRow).toHaveLength(view.width);
    }
    expect(registry.find("user_activity")?.width).toBe(21);
    expect(registry.find("item_stats")?.width).toBe(10);
  });

  it("fills the default row from each feature's default", () => {
    const activity = registry.find("user_activity");
    if (!activity) throw new Error("no user_activity");
    expect(activity.defaultRow[registry.column("user_activity", "ctr_7d")]).toBeCloseTo(0.05, 6);
    expect(activity.defaultRow[registry.column("user_activity", "hours_since_last_interaction")]).toBe(8760);
    expect(activity.defaultRow[registry.column("user_activity", "views_1h")]).toBe(0);
  });

  it("resolves view:feature names and names the unknown part in INVALID_ARGUMENT", () => {
    expect(registry.qualified("item_stats:ctr_7d", "features[0]").feature.offset).toBe(registry.column("item_stats", "ctr_7d"));
    const failure = (name: string) => {
      try {
        registry.qualified(name, "features[2]");
      } catch (err) {
        return err;
      }
      throw new Error(`"${name}" resolved`);
    };
    const unknownView = failure("nope:embedding");
    expect(unknownView).toBeInstanceOf(InvalidArgumentError);
    expect((unknownView as InvalidArgumentError).field).toBe("features[2]");
    expect((unknownView as Error).message).toContain('unknown feature view "nope"');
    expect((failure("user_taste:colour") as Error).message).toContain('feature view "user_taste" has no feature "colour"');
    expect((failure("user_taste") as Error).message).toContain('not of the form "view:feature"');
    expect((failure(":embedding") as Error).message).toContain('not of the form "view:feature"');
  });

  it("rejects declarations that would make offsets ambiguous", () => {
    const base = { entity: "item" as const, version: 1, description: "", maxAgeHours: 0, ttlDays: 0 };
    expect(() => new FeatureRegistry([{ ...base, name: "a", features: [] }, { ...base, name: "a", features: [] }])).toThrow(/declared twice/);
    const twice = { name: "x", type: "float" as const, default: 0, description: "" };
    expect(() => new FeatureRegistry([{ ...base, name: "b", features: [twice, twice] }])).toThrow(/b:x declared twice/);
    expect(() => new FeatureRegistry([{ ...base, name: "c", features: [{ ...twice, type: "vector" }] }])).toThrow(/needs a dimension/);
    expect(
      () =>
        new FeatureRegistry([
          { ...base, name: "d", features: [{ ...twice, readTime: { kind: "smoothed_ratio", numerator: "x", denominator: "y", prior: 0, strength: 1 } }] },
        ]),
    ).toThrow(/does not declare/);
  });
});
