import type { InputPlan, ViewSlice } from "../model/feature-layout.js";
import { copyRow } from "./copy-row.js";
import { ROW_MISSING, type FeatureRows } from "./feature-rows.js";

export interface AssembledInput {
  /** count × plan.width floats: the model input. */
  input: Float32Array;
  /** Items whose features (any item view) were missing and came from registry defaults. */
  defaultedItems: number;
}

/**
 * Builds the model input straight into one typed array (`into` when given,
 * at least count × plan.width long; every column of every row is written): the
 * user's columns are copied into every row, each item's columns from its view
 * rows. A view that is absent (not hydrated) or at another version than the
 * plan's contributes its registry defaults for every row.
 */
export function assembleRows(
  plan: InputPlan,
  user: ReadonlyMap<string, FeatureRows>,
  items: ReadonlyMap<string, FeatureRows>,
  count: number,
  into?: Float32Array,
): AssembledInput {
  const width = plan.width;
  if (into && into.length < count * width) throw new RangeError(`model input needs ${count * width} floats, the target holds ${into.length}`);
  const input = into ? into.subarray(0, count * width) : new Float32Array(count * width);
  const userRow = new Float32Array(width);
  for (const slice of plan.user) copySlice(slice, rowsOf(slice, user, 1), 0, userRow, 0);
  for (let r = 0; r < count; r++) input.set(userRow, r * width);

  const defaulted = new Uint8Array(count);
  for (const slice of plan.item) {
    const rows = rowsOf(slice, items, count);
    for (let r = 0; r < count; r++) {
      copySlice(slice, rows, r, input, r * width);
      if (!rows || rows.statuses[r] === ROW_MISSING) defaulted[r] = 1;
    }
  }
  let defaultedItems = 0;
  for (let r = 0; r < count; r++) defaultedItems += defaulted[r] ?? 0;
  return { input, defaultedItems };
}

function rowsOf(slice: ViewSlice, blocks: ReadonlyMap<string, FeatureRows>, count: number): FeatureRows | undefined {
  const rows = blocks.get(slice.view.name);
  if (!rows || rows.viewVersion !== slice.view.version || rows.width !== slice.view.width || rows.rows < count) return undefined;
  return rows;
}

function copySlice(slice: ViewSlice, rows: FeatureRows | undefined, row: number, target: Float32Array, targetStart: number): void {
  const source = rows ? rows.values : slice.view.defaultRow;
  const base = rows ? row * rows.width : 0;
  for (const c of slice.copies) copyRow(source, base + c.from, target, targetStart + c.to, c.length);
}
