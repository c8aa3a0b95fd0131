import { describe, expect, it } from "vitest";
import { categoryBucket, fnv1a32 } from "./category-hash.js";

describe("category hashing", () => {
  it("is FNV-1a 32-bit (reference test vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes the UTF-8 bytes, so non-ASCII categories hash like other languages' implementations", () => {
    // "é" is 0xC3 0xA9 in UTF-8.
    let expected = 0x811c9dc5;
    for (const byte of [0xc3, 0xa9]) expected = Math.imul(expected ^ byte, 0x01000193) >>> 0;
    expect(fnv1a32("é")).toBe(expected);
  });

  it("buckets a category as the hash mod 32, and gives no bucket to an empty category", () => {
    expect(categoryBucket("foobar")).toBe(0xbf9cf968 % 32);
    expect(categoryBucket("")).toBeUndefined();
    for (const c of ["books", "electronics", "garden", "toys", "fashion"]) {
      const bucket = categoryBucket(c) ?? -1;
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(32);
    }
  });
});
