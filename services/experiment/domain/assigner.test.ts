import { describe, expect, it } from "vitest";
import { ExperimentSet } from "./assigner.js";
import { definition } from "../testing/definitions.js";
import { hashV1, hashV2 } from "./growthbook-hash.js";
import { findLayerConflict } from "./layer-conflicts.js";

const NOW = 1_000_000;
const ids = Array.from({ length: 2_000 }, (_, i) => `u${i}`);

describe("ExperimentSet", () => {
  it("assigns by GrowthBook v2 bucket of (salt, user id)", () => {
    const set = new ExperimentSet([definition({ name: "exp", salt: "pricing-2030" })]);
    for (const u of ids.slice(0, 200)) {
      const [a] = set.assign(u, {}, NOW);
      const bucket = hashV2("pricing-2030", u);
      expect(a).toEqual({ experiment: "exp", variant: bucket < 0.5 ? "control" : "treatment", layer: "", params: {}, forced: false, bucket });
    }
  });

  it("salts with the name when no salt is set, so experiments split independently", () => {
    const set = new ExperimentSet([definition({ name: "one" }), definition({ name: "two" })]);
    let same = 0;
    for (const u of ids) {
      const [x, y] = set.assign(u, {}, NOW);
      if (x?.variant === y?.variant) same++;
    }
    expect(same).toBeGreaterThan(900);
    expect(same).toBeLessThan(1_100);
  });

  it("gives each experiment of a layer the users whose layer hash falls in its range", () => {
    const set = new ExperimentSet([
      definition({ name: "a", layer: "home", layerRange: { start: 0, end: 0.3 } }),
      definition({ name: "b", layer: "home", layerRange: { start: 0.3, end: 1 } }),
    ]);
    for (const u of ids) {
      const got = set.assign(u, {}, NOW);
      expect(got).toHaveLength(1);
      expect(got[0]?.experiment).toBe(hashV1("__home", u) < 0.3 ? "a" : "b");
    }
  });

  it("lets one experiment win a layer even when ranges overlap, and the filter never changes the winner", () => {
    const set = new ExperimentSet([definition({ name: "a", layer: "home" }), definition({ name: "b", layer: "home" })]);
    expect(set.assign("u1", {}, NOW).map((a) => a.experiment)).toEqual(["a"]);
    expect(set.assign("u1", {}, NOW, new Set(["b"]))).toEqual([]);
  });

  it("forces QA users past coverage, targeting and layer order, marked forced", () => {
    const set = new ExperimentSet([
      definition({ name: "a", layer: "home" }),
      definition({ name: "b", layer: "home", coverage: 0, targeting: [{ attribute: "device", operator: "in", values: ["ios"] }], forcedVariants: { qa: "treatment" } }),
    ]);
    expect(set.assign("qa", { device: "web" }, NOW)).toEqual([expect.objectContaining({ experiment: "b", variant: "treatment", forced: true })]);
  });

  it("assigns nobody outside the running window or when targeting fails", () => {
    const set = new ExperimentSet([
      definition({ name: "w", startTimeMs: NOW, endTimeMs: NOW + 10 }),
      definition({ name: "t", targeting: [{ attribute: "constructor", operator: "in", values: ["x"] }] }),
    ]);
    expect(set.assign("u1", {}, NOW - 1)).toEqual([]);
    expect(set.assign("u1", {}, NOW).map((a) => a.experiment)).toEqual(["w"]);
    expect(set.assign("u1", {}, NOW + 10)).toEqual([]);
    expect(set.assign("u1", { constructor: "x" }, NOW + 10).map((a) => a.experiment)).toEqual(["t"]);
  });

  it("finds overlapping layer ranges among drafts and running experiments, not stopped ones", () => {
    const left = definition({ name: "left", layer: "home", layerRange: { start: 0, end: 0.5 } });
    const stopped = definition({ name: "old", layer: "home", status: "stopped" });
    expect(findLayerConflict(definition({ name: "right", layer: "home", layerRange: { start: 0.5, end: 1 } }), [left, stopped])).toBeUndefined();
    expect(findLayerConflict(definition({ name: "mid", layer: "home", layerRange: { start: 0.4, end: 0.6 } }), [left])?.name).toBe("left");
    expect(findLayerConflict(definition({ name: "left", layer: "home" }), [left])).toBeUndefined();
    expect(findLayerConflict(definition({ name: "other", layer: "search" }), [left])).toBeUndefined();
  });
});
