import { describe, expect, it } from "vitest";
import { planInputs } from "../model/feature-layout.js";
import { basis, testModel, testRegistry, viewRows } from "../testing-fixtures.js";
import { ROW_MISSING } from "./feature-rows.js";
import { assembleRows } from "./row-assembler.js";

describe("assembleRows", () => {
  const plan = planInputs(testModel("dot/1").contract, testRegistry());

  it("copies the user row into every row and each item's columns into its own row", () => {
    const user = new Map([["user_taste", viewRows("user_taste", [basis(0, 2)])]]);
    const items = new Map([["item_content", viewRows("item_content", [basis(1), basis(2)])]]);
    const { input, defaultedItems } = assembleRows(plan, user, items, 2);
    expect(input).toHaveLength(128);
    expect(input[0]).toBe(2);
    expect(input[64]).toBe(2);
    expect(input[32 + 1]).toBe(1);
    expect(input[64 + 32 + 2]).toBe(1);
    expect(defaultedItems).toBe(0);
  });

  it("uses registry defaults for absent views and counts items whose rows were missing", () => {
    const rows = viewRows("item_content", [basis(1), basis(2), basis(3)]);
    rows.statuses[1] = ROW_MISSING;
    expect(assembleRows(plan, new Map(), new Map([["item_content", rows]]), 3).defaultedItems).toBe(1);
    const none = assembleRows(plan, new Map(), new Map(), 3);
    expect(none.defaultedItems).toBe(3);
    expect(none.input.every((v) => v === 0)).toBe(true);
  });

  it("ignores a block at another view version than the model was planned for", () => {
    const stale = { ...viewRows("item_content", [basis(1)]), viewVersion: 7 };
    const { input, defaultedItems } = assembleRows(plan, new Map(), new Map([["item_content", stale]]), 1);
    expect(input[33]).toBe(0);
    expect(defaultedItems).toBe(1);
  });

  it("writes every column of a dirty target it is given, and refuses one too short", () => {
    const user = new Map([["user_taste", viewRows("user_taste", [basis(0, 2)])]]);
    const items = new Map([["item_content", viewRows("item_content", [basis(1), basis(2)])]]);
    const fresh = assembleRows(plan, user, items, 2).input;
    const target = new Float32Array(200).fill(Number.NaN);
    const reused = assembleRows(plan, user, items, 2, target).input;
    expect(reused.buffer).toBe(target.buffer);
    expect(Array.from(reused)).toEqual(Array.from(fresh));
    expect(() => assembleRows(plan, user, items, 2, new Float32Array(127))).toThrow(/needs 128 floats, the target holds 127/);
  });
});
