import { describe, expect, it } from "vitest";
import { FeatureRegistry } from "../registry/feature-registry.js";
import { FEATURE_VIEWS } from "../registry/feature-views.js";
import { blobBytes, decodeRow, emptyRow, encodeRow, headerBytes } from "./stored-row.js";

const registry = new FeatureRegistry(FEATURE_VIEWS);
const taste = registry.find("user_taste");
if (!taste) throw new Error("no user_taste");

describe("stored row packing", () => {
  it("packs header and little-endian float32 row into one blob of the view's size", () => {
    const row = emptyRow(taste, 1_735_689_600_123);
    row.sequence = 2 ** 40 + 7;
    row.state[0] = 1.25;
    row.state[1] = 0.5;
    row.values[3] = 0.1;
    row.values[63] = -2;
    const blob = encodeRow(taste, row);
    expect(blob.length).toBe(blobBytes(taste));
    expect(headerBytes(taste)).toBe(16 + 2 * 8);
    expect(blob.length).toBe(32 + 64 * 4);
    expect(blob.readFloatLE(headerBytes(taste) + 3 * 4)).toBeCloseTo(0.1, 7);
    expect(blob.readFloatLE(headerBytes(taste) + 63 * 4)).toBe(-2);
  });

  it("keeps the sequence and the epoch-millisecond event time exact (float64, never float32)", () => {
    const row = emptyRow(taste, 1_735_689_600_123);
    row.sequence = 2 ** 40 + 7;
    const decoded = decodeRow(taste, encodeRow(taste, row));
    expect(decoded?.sequence).toBe(2 ** 40 + 7);
    expect(decoded?.eventTimeMs).toBe(1_735_689_600_123);
    expect(Math.fround(1_735_689_600_123)).not.toBe(1_735_689_600_123);
  });

  it("decodes from an unaligned buffer slice, as Redis client buffers are", () => {
    const row = emptyRow(taste, 1_000);
    row.values.forEach((_, i) => {
      row.values[i] = i / 7;
    });
    const blob = encodeRow(taste, row);
    const backing = Buffer.alloc(blob.length + 3);
    blob.copy(backing, 1);
    const unaligned = backing.subarray(1, 1 + blob.length);
    expect(unaligned.byteOffset % 4).not.toBe(0);
    const decoded = decodeRow(taste, unaligned);
    expect(decoded?.values).toEqual(row.values);
    expect(decoded?.eventTimeMs).toBe(1_000);
  });

  it("refuses a blob of another layout (another version or a corrupt value)", () => {
    const activity = registry.find("user_activity");
    if (!activity) throw new Error("no user_activity");
    expect(decodeRow(taste, encodeRow(activity, emptyRow(activity, 0)))).toBeUndefined();
    expect(decodeRow(taste, new Uint8Array(0))).toBeUndefined();
  });
});
