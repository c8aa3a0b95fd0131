import { describe, expect, it } from "vitest";
import { testModel, testRegistry } from "../testing-fixtures.js";
import { planInputs } from "./feature-layout.js";

describe("planInputs", () => {
  it("maps each view:feature input to its columns in input order", () => {
    const plan = planInputs(testModel("dot/1").contract, testRegistry());
    expect(plan.width).toBe(64);
    expect(plan.user.map((s) => [s.view.name, s.copies])).toEqual([["user_taste", [{ from: 0, to: 0, length: 32 }]]]);
    expect(plan.item.map((s) => [s.view.name, s.copies])).toEqual([["item_content", [{ from: 0, to: 32, length: 32 }]]]);
  });

  it("merges inputs adjacent in both the view row and the model row into one copy, and keeps the others apart", () => {
    const base = testModel("dot/1").contract;
    const both = { ...base, input: { name: "features", width: 64 }, featureInputs: ["item_content:embedding", "item_content:category_hash"] };
    expect(planInputs(both, testRegistry()).item[0]?.copies).toEqual([{ from: 0, to: 0, length: 64 }]);
    const swapped = { ...both, featureInputs: ["item_content:category_hash", "item_content:embedding"] };
    expect(planInputs(swapped, testRegistry()).item[0]?.copies).toEqual([
      { from: 32, to: 0, length: 32 },
      { from: 0, to: 32, length: 32 },
    ]);
  });

  it("rejects an input naming a feature the registry lacks", () => {
    expect(() => planInputs(testModel("unknown/1").contract, testRegistry())).toThrow(/view "item_content" has no feature "nope"/);
  });

  it("rejects a model trained on another view version", () => {
    const registry = testRegistry();
    const item = registry.get("item_content");
    if (item) registry.set("item_content", { ...item, version: 2 });
    expect(() => planInputs(testModel("dot/1").contract, registry)).toThrow(/version 2, the model was trained on version 1/);
  });

  it("rejects inputs that do not add up to the model width", () => {
    const contract = { ...testModel("dot/1").contract, input: { name: "features", width: 65 } };
    expect(() => planInputs(contract, testRegistry())).toThrow(/add up to 64 columns but the model input "features" has width 65/);
  });
});
