import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./token-buckets.js";

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("TokenBuckets", () => {
  it("grants a full burst, then refuses with the wait until the next token", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 3, maxKeys: 10 }, c.now);
    expect([buckets.take("a"), buckets.take("a"), buckets.take("a")]).toEqual([0, 0, 0]);
    expect(buckets.take("a")).toBeCloseTo(100);
    c.advance(40);
    expect(buckets.take("a")).toBeCloseTo(60);
    c.advance(60);
    expect(buckets.take("a")).toBe(0);
    expect(buckets.take("a")).toBeCloseTo(100);
  });

  it("refills continuously up to the burst, never beyond", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 2, maxKeys: 10 }, c.now);
    buckets.take("a");
    buckets.take("a");
    c.advance(60_000);
    expect([buckets.take("a"), buckets.take("a")]).toEqual([0, 0]);
    expect(buckets.take("a")).toBeGreaterThan(0);
  });

  it("keeps one bucket per key", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, maxKeys: 10 }, c.now);
    expect(buckets.take("a")).toBe(0);
    expect(buckets.take("a")).toBeGreaterThan(0);
    expect(buckets.take("b")).toBe(0);
  });

  it("bounds memory by dropping the least recently used bucket", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, maxKeys: 2 }, c.now);
    buckets.take("a");
    buckets.take("b");
    buckets.take("a");
    buckets.take("c");
    expect(buckets.size).toBe(2);
    expect(buckets.take("a")).toBeGreaterThan(0);
    expect(buckets.take("b")).toBe(0);
  });

  it("refuses a limit that could never grant a call", () => {
    expect(() => new TokenBuckets({ ratePerSecond: 0, burst: 1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ ratePerSecond: 1, burst: 0.5, maxKeys: 1 })).toThrow(RangeError);
  });
});
