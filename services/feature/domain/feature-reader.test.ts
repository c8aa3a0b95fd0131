import { describe, expect, it } from "vitest";
import { FeatureRegistry, type FeatureView } from "../registry/feature-registry.js";
import { FEATURE_VIEWS } from "../registry/feature-views.js";
import { FeatureReader, ROW_STATUS } from "./feature-reader.js";
import { finishRow } from "./read-time.js";
import { storageKey } from "./row-store.js";
import { blobBytes, emptyRow, encodeRow } from "./stored-row.js";

const registry = new FeatureRegistry(FEATURE_VIEWS);
function view(name: string): FeatureView {
  const found = registry.find(name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}
const content = view("item_content");
const taste = view("user_taste");
const NOW = 1_800_000_000_000;
const DAY_MS = 86_400_000;

/** A stored row whose every value is distinct, so a neighbour's bytes landing on it would show. */
function storedValues(v: FeatureView, seed: number): Float32Array {
  return Float32Array.from({ length: v.width }, (_, i) => seed * 1000 + i + 0.25);
}

/**
 * Blobs laid out as a Redis client hands them over: slices of one reply buffer
 * at odd offsets, separated by protocol bytes.
 */
function replySlices(blobs: (Buffer | null)[]): (Buffer | null)[] {
  const reply = Buffer.alloc(blobs.reduce((n, b) => n + 7 + (b?.length ?? 0), 1), 0xee);
  let offset = 1;
  return blobs.map((blob) => {
    offset += 7;
    if (!blob) return null;
    blob.copy(reply, offset);
    offset += blob.length;
    return reply.subarray(offset - blob.length, offset);
  });
}

function storeOf(entries: Map<string, Buffer | null>) {
  return { read: async (keys: string[]) => replySlices(keys.map((k) => entries.get(k) ?? null)) };
}

function blob(v: FeatureView, seed: number, eventTimeMs: number): Buffer {
  const row = emptyRow(v, eventTimeMs);
  row.sequence = seed;
  row.state.fill(1 + seed);
  row.values.set(storedValues(v, seed));
  return encodeRow(v, row);
}

describe("FeatureReader", () => {
  it("serves each row's own values in request order, with defaults for missing rows and rows of another layout", async () => {
    const ids = ["a", "gone", "b", "other-layout", "c"];
    const entries = new Map<string, Buffer | null>([
      [storageKey(content, "a"), blob(content, 1, NOW - DAY_MS)],
      [storageKey(content, "b"), blob(content, 2, NOW - 2 * DAY_MS)],
      [storageKey(content, "other-layout"), Buffer.alloc(blobBytes(content) + 4, 0x7f)],
      [storageKey(content, "c"), blob(content, 3, NOW - 3 * DAY_MS)],
    ]);
    const block = await new FeatureReader(storeOf(entries), () => NOW).block(content, ids);

    const w = content.width;
    expect(block.values.length).toBe(ids.length * w);
    expect(block.values.byteOffset % 4).toBe(0);
    const row = (i: number) => block.values.subarray(i * w, (i + 1) * w);
    expect(row(0)).toEqual(storedValues(content, 1));
    expect(row(1)).toEqual(content.defaultRow);
    expect(row(2)).toEqual(storedValues(content, 2));
    expect(row(3)).toEqual(content.defaultRow);
    expect(row(4)).toEqual(storedValues(content, 3));
    expect([...block.statuses]).toEqual([ROW_STATUS.present, ROW_STATUS.missing, ROW_STATUS.present, ROW_STATUS.missing, ROW_STATUS.present]);
    expect([...block.eventTimesMs]).toEqual([NOW - DAY_MS, NaN, NOW - 2 * DAY_MS, NaN, NOW - 3 * DAY_MS]);
  });

  it("finishes read-time features as of the clock and marks rows past the view's max age stale", async () => {
    const fresh = NOW - DAY_MS;
    const old = NOW - taste.maxAgeMs - DAY_MS;
    const entries = new Map<string, Buffer | null>([
      [storageKey(taste, "fresh"), blob(taste, 4, fresh)],
      [storageKey(taste, "old"), blob(taste, 5, old)],
    ]);
    const block = await new FeatureReader(storeOf(entries), () => NOW).block(taste, ["old", "none", "fresh"]);

    const expected = (seed: number, eventTimeMs: number) => {
      const values = storedValues(taste, seed);
      finishRow(taste, values, 0, NOW - eventTimeMs);
      return values;
    };
    const w = taste.width;
    expect(block.values.subarray(0, w)).toEqual(expected(5, old));
    expect(block.values.subarray(w, 2 * w)).toEqual(taste.defaultRow);
    expect(block.values.subarray(2 * w)).toEqual(expected(4, fresh));
    expect([...block.statuses]).toEqual([ROW_STATUS.stale, ROW_STATUS.missing, ROW_STATUS.present]);
  });

  it("reads several views of the same entities with one store read", async () => {
    let reads = 0;
    const entries = new Map<string, Buffer | null>([
      [storageKey(content, "x"), blob(content, 6, NOW)],
      [storageKey(taste, "x"), blob(taste, 7, NOW)],
    ]);
    const store = storeOf(entries);
    const reader = new FeatureReader({ read: (keys) => (reads++, store.read(keys)) }, () => NOW);
    const [c, t] = await reader.blocks([content, taste], ["x", "y"]);
    expect(reads).toBe(1);
    expect(c?.values.subarray(0, content.width)).toEqual(storedValues(content, 6));
    expect(c?.values.subarray(content.width)).toEqual(content.defaultRow);
    expect([...(t?.statuses ?? [])]).toEqual([ROW_STATUS.present, ROW_STATUS.missing]);
  });
});
