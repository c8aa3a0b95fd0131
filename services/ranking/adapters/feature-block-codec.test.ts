import { describe, expect, it } from "vitest";
import { FeatureBlock } from "../../../gen/recmesh/common/v1/features.js";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { rowsByView, rowsFromBlock } from "./feature-block-codec.js";

function block(rows: number, ids: string[] = []): FeatureBlock {
  const values = new Float32Array(rows * 2).map((_, i) => i);
  return FeatureBlock.fromPartial({ view: "v", viewVersion: 1, width: 2, entityIds: ids, values: Buffer.from(values.buffer), statuses: Buffer.alloc(rows, 1) });
}

describe("rowsFromBlock", () => {
  it("counts the rows of a StreamFeatures answer, which names no ids, from its values", () => {
    const rows = rowsFromBlock(block(3), "answer");
    expect(rows.rows).toBe(3);
    expect([...rows.values]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("counts one row per id when the block names them", () => {
    expect(rowsFromBlock(block(2, ["a", "b"]), "answer").rows).toBe(2);
  });

  it("refuses values that are not whole rows", () => {
    const partial = { ...block(2), values: Buffer.alloc(12) };
    expect(() => rowsFromBlock(partial, "answer")).toThrow(InvalidArgumentError);
  });
});

describe("rowsByView with the candidates' ids (Rank requests)", () => {
  it("still requires every block to name exactly those ids in order", () => {
    expect(rowsByView([block(2, ["a", "b"])], "item_features", ["a", "b"]).get("v")?.rows).toBe(2);
    expect(() => rowsByView([block(2)], "item_features", ["a", "b"])).toThrow(/entity_ids/);
    expect(() => rowsByView([block(2, ["b", "a"])], "item_features", ["a", "b"])).toThrow(/row 0/);
  });
});
