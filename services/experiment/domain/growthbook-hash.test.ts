import { describe, expect, it } from "vitest";
import { bucketRanges, chooseVariation, fnv1a32, hashV1, hashV2, namespaceSeed, type BucketRange } from "./growthbook-hash.js";

/**
 * Vectors from GrowthBook's cross-SDK specification,
 * github.com/growthbook/growthbook packages/sdk-js/test/cases.json (specVersion 0.5.4):
 * the "hash", "getBucketRange", "chooseVariation" and "inNamespace" sections.
 */
const HASH_CASES: [seed: string, value: string, version: 1 | 2, expected: number][] = [
  ["", "a", 1, 0.22],
  ["", "b", 1, 0.077],
  ["b", "a", 1, 0.946],
  ["ef", "d", 1, 0.652],
  ["asdf", "8952klfjas09ujk", 1, 0.549],
  ["", "123", 1, 0.011],
  ["", '___)((*":&', 1, 0.563],
  ["seed", "a", 2, 0.0505],
  ["seed", "b", 2, 0.2696],
  ["foo", "ab", 2, 0.2575],
  ["foo", "def", 2, 0.2019],
  ["89123klj", "8952klfjas09ujkasdf", 2, 0.124],
  ["90850943850283058242805", "123", 2, 0.7516],
  ["()**(%$##$%#$#", '___)((*":&', 2, 0.0128],
];

const BUCKET_RANGE_CASES: [name: string, coverage: number, weights: number[], expected: BucketRange[]][] = [
  ["normal 50/50", 1, [0.5, 0.5], [[0, 0.5], [0.5, 1]]],
  ["reduced coverage", 0.5, [0.5, 0.5], [[0, 0.25], [0.5, 0.75]]],
  ["zero coverage", 0, [0.5, 0.5], [[0, 0], [0.5, 0.5]]],
  ["4 variations", 1, [0.25, 0.25, 0.25, 0.25], [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]],
  ["uneven weights", 1, [0.4, 0.6], [[0, 0.4], [0.4, 1]]],
  ["uneven weights, 3 variations", 1, [0.2, 0.3, 0.5], [[0, 0.2], [0.2, 0.5], [0.5, 1]]],
  ["uneven weights, reduced coverage, 3 variations", 0.2, [0.2, 0.3, 0.5], [[0, 0.04], [0.2, 0.26], [0.5, 0.6]]],
  ["negative coverage", -0.2, [0.5, 0.5], [[0, 0], [0.5, 0.5]]],
  ["coverage above 1", 1.5, [0.5, 0.5], [[0, 0.5], [0.5, 1]]],
];

const CHOOSE_CASES: [name: string, bucket: number, ranges: BucketRange[], expected: number][] = [
  ["even range, 0.2", 0.2, [[0, 0.5], [0.5, 1]], 0],
  ["even range, 0.4", 0.4, [[0, 0.5], [0.5, 1]], 0],
  ["even range, 0.6", 0.6, [[0, 0.5], [0.5, 1]], 1],
  ["even range, 0.8", 0.8, [[0, 0.5], [0.5, 1]], 1],
  ["even range, 0", 0, [[0, 0.5], [0.5, 1]], 0],
  ["even range, 0.5", 0.5, [[0, 0.5], [0.5, 1]], 1],
  ["reduced range, 0.2", 0.2, [[0, 0.25], [0.5, 0.75]], 0],
  ["reduced range, 0.4", 0.4, [[0, 0.25], [0.5, 0.75]], -1],
  ["reduced range, 0.6", 0.6, [[0, 0.25], [0.5, 0.75]], 1],
  ["reduced range, 0.8", 0.8, [[0, 0.25], [0.5, 0.75]], -1],
  ["reduced range, 0.25", 0.25, [[0, 0.25], [0.5, 0.75]], -1],
  ["reduced range, 0.5", 0.5, [[0, 0.25], [0.5, 0.75]], 1],
  ["zero range", 0.5, [[0, 0.5], [0.5, 0.5], [0.5, 1]], 2],
];

const NAMESPACE_CASES: [user: string, namespace: string, start: number, end: number, expected: boolean][] = [
  ["1", "namespace1", 0, 0.4, false],
  ["1", "namespace1", 0.4, 1, true],
  ["1", "namespace2", 0, 0.4, false],
  ["1", "namespace2", 0.4, 1, true],
  ["2", "namespace1", 0, 0.4, false],
  ["2", "namespace1", 0.4, 1, true],
  ["2", "namespace2", 0, 0.4, false],
  ["2", "namespace2", 0.4, 1, true],
  ["3", "namespace1", 0, 0.4, false],
  ["3", "namespace1", 0.4, 1, true],
  ["3", "namespace2", 0, 0.4, true],
  ["3", "namespace2", 0.4, 1, false],
  ["4", "namespace1", 0, 0.4, false],
  ["4", "namespace1", 0.4, 1, true],
  ["4", "namespace2", 0, 0.4, true],
  ["4", "namespace2", 0.4, 1, false],
];

describe("GrowthBook bucketing (published cross-SDK cases)", () => {
  it("fnv1a32 matches the FNV reference values", () => {
    // Landon Curt Noll's FNV test suite: FNV-1a 32 of "" is the offset basis, of "a" is 0xe40c292c, of "foobar" 0xbf9cf968.
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it.each(HASH_CASES)("hash(%j, %j, v%i) = %d", (seed, value, version, expected) => {
    expect(version === 2 ? hashV2(seed, value) : hashV1(seed, value)).toBe(expected);
  });

  it.each(BUCKET_RANGE_CASES)("getBucketRange: %s", (_name, coverage, weights, expected) => {
    const ranges = bucketRanges(coverage, weights);
    expect(ranges).toHaveLength(expected.length);
    ranges.forEach((r, i) => {
      expect(r[0]).toBeCloseTo((expected[i] as BucketRange)[0], 12);
      expect(r[1]).toBeCloseTo((expected[i] as BucketRange)[1], 12);
    });
  });

  it.each(CHOOSE_CASES)("chooseVariation: %s", (_name, bucket, ranges, expected) => {
    expect(chooseVariation(bucket, ranges)).toBe(expected);
  });

  it.each(NAMESPACE_CASES)("inNamespace(user %s, %s, [%d, %d)) = %s", (user, ns, start, end, expected) => {
    const n = hashV1(namespaceSeed(ns), user);
    expect(n >= start && n < end).toBe(expected);
  });

  it("hashes without concatenating exactly as the spec's formula over concatenated strings", () => {
    const spec = (seed: string, value: string) => (fnv1a32(String(fnv1a32(seed + value))) % 10_000) / 10_000;
    for (let i = 0; i < 10_000; i++) {
      const seed = `exp-${i % 13}`;
      const user = i % 3 === 0 ? `ü-${i}` : `user-${i}`;
      expect(hashV2(seed, user)).toBe(spec(seed, user));
      expect(hashV1(`__${seed}`, user)).toBe((fnv1a32(user + `__${seed}`) % 1_000) / 1_000);
    }
  });

  it("hashes non-ASCII ids as UTF-8 bytes", () => {
    // "é" is C3 A9 in UTF-8: FNV-1a over those two bytes, computed step by step.
    const step = (h: number, b: number) => Math.imul(h ^ b, 0x01000193) >>> 0;
    expect(fnv1a32("é")).toBe(step(step(0x811c9dc5, 0xc3), 0xa9));
  });
});
