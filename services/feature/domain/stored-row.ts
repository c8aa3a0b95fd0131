import { endianness } from "node:os";
import type { FeatureView } from "../registry/feature-registry.js";

if (endianness() !== "LE") throw new Error("stored feature rows are little-endian float32; this host is big-endian");

/**
 * One entity's row of one view as stored in Redis: a single packed blob so a
 * bulk read is one MGET, laid out little-endian as
 *   [f64 sequence][f64 event time ms][f64 × view.state.length][f32 × view.width].
 * The float64 header keeps the idempotency mark and the event time exact
 * (float32 cannot hold an epoch or a large stream sequence).
 */
export interface StoredRow {
  /** Stream sequence of the newest event applied to this row: events at or below it are already in. */
  sequence: number;
  /** Event time (epoch ms) of the newest contributing event; decayed columns are as of this time. */
  eventTimeMs: number;
  state: Float64Array;
  values: Float32Array;
}

/** Bytes of the header that hold the sequence: the compare-and-set mark. */
export const SEQUENCE_BYTES = 8;
/** Where the float64 event time sits in the header. */
export const EVENT_TIME_OFFSET = 8;
const FIXED_HEADER_BYTES = 16;

export function headerBytes(view: FeatureView): number {
  return FIXED_HEADER_BYTES + 8 * view.state.length;
}

export function blobBytes(view: FeatureView): number {
  return headerBytes(view) + 4 * view.width;
}

/** A row with every feature at its default, as of `eventTimeMs`, before any event. */
export function emptyRow(view: FeatureView, eventTimeMs: number): StoredRow {
  return { sequence: 0, eventTimeMs, state: new Float64Array(view.state.length), values: view.defaultRow.slice() };
}

export function cloneRow(row: StoredRow): StoredRow {
  return { sequence: row.sequence, eventTimeMs: row.eventTimeMs, state: row.state.slice(), values: row.values.slice() };
}

export function encodeRow(view: FeatureView, row: StoredRow): Buffer {
  const blob = Buffer.alloc(blobBytes(view));
  blob.writeDoubleLE(row.sequence, 0);
  blob.writeDoubleLE(row.eventTimeMs, EVENT_TIME_OFFSET);
  row.state.forEach((v, i) => blob.writeDoubleLE(v, FIXED_HEADER_BYTES + 8 * i));
  blob.set(new Uint8Array(row.values.buffer, row.values.byteOffset, row.values.byteLength), headerBytes(view));
  return blob;
}

/** The stored row, or undefined when the blob does not have this view version's layout. */
export function decodeRow(view: FeatureView, blob: Uint8Array): StoredRow | undefined {
  if (blob.length !== blobBytes(view)) return undefined;
  const header = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const state = new Float64Array(view.state.length);
  for (let i = 0; i < state.length; i++) state[i] = header.getFloat64(FIXED_HEADER_BYTES + 8 * i, true);
  const values = new Float32Array(view.width);
  // Copied, not viewed: Redis client buffers are slices at arbitrary offsets and Float32Array needs 4-byte alignment.
  const start = headerBytes(view);
  new Uint8Array(values.buffer).set(blob.subarray(start, start + 4 * view.width));
  return { sequence: header.getFloat64(0, true), eventTimeMs: header.getFloat64(EVENT_TIME_OFFSET, true), state, values };
}
