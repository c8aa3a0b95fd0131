import { describe, expect, it } from "vitest";
import { CachedRowGroup } from "./cached-row-group.js";
import { ROW_PRESENT, ROW_STALE, type FeatureRows } from "./feature-rows.js";

/** Rows of `width` floats whose every value is the item number plus `offset`. */
function rowsFor(ids: string[], width: number, offset: number): FeatureRows {
  const values = new Float32Array(ids.length * width);
  ids.forEach((id, i) => values.fill(Number(id) + offset, i * width, (i + 1) * width));
  return { view: `w${width}`, viewVersion: 1, width, rows: ids.length, values, statuses: new Uint8Array(ids.map((id) => (Number(id) % 2 ? ROW_STALE : ROW_PRESENT))) };
}

function read(group: CachedRowGroup, id: string, widths: number[]): { values: number[][]; statuses: number[] } | undefined {
  const slot = group.freshSlot(id, 0);
  if (slot < 0) return undefined;
  const blocks = widths.map((w) => ({ view: "", viewVersion: 1, width: w, rows: 1, values: new Float32Array(w), statuses: new Uint8Array(1) }));
  blocks.forEach((b, v) => group.copyTo(v, slot, b, 0));
  return { values: blocks.map((b) => [...b.values]), statuses: blocks.map((b) => b.statuses[0] ?? 0) };
}

describe("CachedRowGroup", () => {
  const widths = [20, 3];
  const layouts = widths.map((width) => ({ viewVersion: 1, width }));

  it("keeps every view's row and status per item as its slabs grow past their first capacity", () => {
    const group = new CachedRowGroup(layouts, 5_000);
    const ids = Array.from({ length: 3_000 }, (_, i) => String(i));
    for (let at = 0; at < ids.length; at += 500) {
      const chunk = ids.slice(at, at + 500);
      const fetched = [rowsFor(chunk, 20, 0), rowsFor(chunk, 3, 0.5)];
      chunk.forEach((id, i) => group.store(id, fetched, i, 10));
    }
    expect(group.size).toBe(3_000);
    for (const id of ["0", "1023", "1024", "2047", "2999"]) {
      expect(read(group, id, widths)).toEqual({
        values: [Array(20).fill(Number(id)), Array(3).fill(Number(id) + 0.5)],
        statuses: Array(2).fill(Number(id) % 2 ? ROW_STALE : ROW_PRESENT),
      });
    }
    expect(group.freshSlot("0", 11)).toBe(-1);
  });

  it("reuses the least recently stored item's slot when full, leaving the other rows intact", () => {
    const group = new CachedRowGroup(layouts, 3);
    const store = (ids: string[], offset: number) => {
      const fetched = [rowsFor(ids, 20, offset), rowsFor(ids, 3, offset)];
      ids.forEach((id, i) => group.store(id, fetched, i, 1));
    };
    store(["1", "2", "3"], 0);
    store(["1"], 100);
    store(["4"], 0);
    expect(group.size).toBe(3);
    expect(read(group, "2", widths)).toBeUndefined();
    expect(read(group, "1", widths)?.values[1]).toEqual([101, 101, 101]);
    expect(read(group, "3", widths)?.values[0]).toEqual(Array(20).fill(3));
    expect(read(group, "4", widths)?.values[0]).toEqual(Array(20).fill(4));
  });
});
