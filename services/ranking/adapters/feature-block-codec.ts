import { endianness } from "node:os";
import type { FeatureBlock } from "../../../gen/recmesh/common/v1/features.js";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { ROW_PRESENT, type FeatureRows } from "../scoring/feature-rows.js";

if (endianness() !== "LE") throw new Error("packed feature blocks are little-endian float32; this host is big-endian");

/**
 * A wire FeatureBlock as typed rows. The bytes are copied, not viewed: protobuf
 * buffers are slices at arbitrary offsets, and a Float32Array needs 4-byte alignment.
 */
export function rowsFromBlock(block: FeatureBlock, field: string): FeatureRows {
  const rows = rowCount(block);
  const floats = rows * block.width;
  if (block.values.length !== floats * 4) {
    throw new InvalidArgumentError(`${field}[${block.view}].values`, `has ${block.values.length} bytes, expected ${floats * 4} (${rows} rows × ${block.width} float32)`);
  }
  if (block.statuses.length !== 0 && block.statuses.length !== rows) {
    throw new InvalidArgumentError(`${field}[${block.view}].statuses`, `has ${block.statuses.length} bytes, expected ${rows}`);
  }
  const values = new Float32Array(floats);
  new Uint8Array(values.buffer).set(block.values);
  const statuses = block.statuses.length === rows ? new Uint8Array(block.statuses) : new Uint8Array(rows).fill(ROW_PRESENT);
  return { view: block.view, viewVersion: block.viewVersion, width: block.width, rows, values, statuses };
}

/**
 * One row per entity id when the block names them; StreamFeatures answers do
 * not (their rows follow the lookup's ids), so there the values give the count,
 * and a partial row fails the length check of rowsFromBlock.
 */
function rowCount(block: FeatureBlock): number {
  if (block.entityIds.length > 0 || block.width === 0) return block.entityIds.length;
  return Math.floor(block.values.length / (4 * block.width));
}

/**
 * Blocks keyed by view; a view sent twice is a caller error. With `rowIds`
 * (the candidates), every block's rows must be exactly those entities in that
 * order: a block for other items, or shuffled, would score each candidate with
 * another item's features.
 */
export function rowsByView(blocks: FeatureBlock[], field: string, rowIds?: readonly string[]): Map<string, FeatureRows> {
  const byView = new Map<string, FeatureRows>();
  for (const block of blocks) {
    if (byView.has(block.view)) throw new InvalidArgumentError(field, `view "${block.view}" appears more than once`);
    if (rowIds) checkRowIds(block, field, rowIds);
    byView.set(block.view, rowsFromBlock(block, field));
  }
  return byView;
}

function checkRowIds(block: FeatureBlock, field: string, rowIds: readonly string[]): void {
  const name = `${field}[${block.view}].entity_ids`;
  if (block.entityIds.length !== rowIds.length) throw new InvalidArgumentError(name, `has ${block.entityIds.length} ids, expected one per item id (${rowIds.length})`);
  const at = block.entityIds.findIndex((id, i) => id !== rowIds[i]);
  if (at >= 0) throw new InvalidArgumentError(name, `row ${at} is "${block.entityIds[at] ?? ""}", expected "${rowIds[at] ?? ""}" (rows follow item_ids)`);
}
