import { describe, expect, it } from "vitest";
import { ScratchArrays } from "./scratch-arrays.js";

describe("ScratchArrays", () => {
  it("lends arrays of the asked length and reuses a released buffer for the next borrow of its size class", () => {
    const scratch = new ScratchArrays();
    const first = scratch.floats(500);
    expect(first).toHaveLength(500);
    first.fill(7);
    scratch.release(first);
    const second = scratch.floats(400);
    expect(second).toHaveLength(400);
    expect(second.buffer).toBe(first.buffer);
    expect(second[0]).toBe(7);
  });

  it("never lends one buffer twice while it is out", () => {
    const scratch = new ScratchArrays();
    const a = scratch.floats(100);
    const b = scratch.floats(100);
    expect(b.buffer).not.toBe(a.buffer);
    scratch.release(a);
    scratch.release(a);
    const c = scratch.floats(100);
    const d = scratch.floats(100);
    expect(c.buffer).toBe(a.buffer);
    expect(d.buffer).not.toBe(a.buffer);
  });

  it("ignores arrays it did not lend and keeps floats and bytes apart", () => {
    const scratch = new ScratchArrays();
    const foreign = new Float32Array(64);
    scratch.release(foreign);
    expect(scratch.floats(64).buffer).not.toBe(foreign.buffer);
    const bytes = scratch.bytes(256);
    scratch.release(bytes);
    expect(scratch.floats(64).buffer).not.toBe(bytes.buffer);
    expect(scratch.bytes(200).buffer).toBe(bytes.buffer);
  });

  it("keeps free buffers up to its byte budget and leaves the rest to the collector", () => {
    const scratch = new ScratchArrays(8 * 4096);
    const out = Array.from({ length: 20 }, () => scratch.floats(1000));
    for (const a of out) scratch.release(a);
    const again = new Set(Array.from({ length: 20 }, () => scratch.floats(1000).buffer));
    expect(out.filter((a) => again.has(a.buffer as ArrayBuffer))).toHaveLength(8);
  });
});
