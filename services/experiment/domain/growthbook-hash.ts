/**
 * GrowthBook's published bucketing (SDK spec, packages/sdk-js/src/util.ts and
 * the cross-SDK test cases in packages/sdk-js/test/cases.json), so that any
 * GrowthBook SDK reproduces a recmesh assignment from (salt, user id):
 *
 *   v2 bucket  = fnv1a32(String(fnv1a32(seed + value))) % 10000 / 10000
 *   v1 bucket  = fnv1a32(value + seed) % 1000 / 1000      (namespaces/layers)
 *
 * Strings are hashed as UTF-8 bytes, like the Go, Python, Java and Rust SDKs
 * (the JS SDK hashes UTF-16 code units; both agree on ASCII ids).
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

// The request path hashes several (seed, user) pairs per call: the pieces are
// fed to FNV one after the other instead of being concatenated, and the
// decimal string of v2's inner hash is hashed digit by digit, so hashing
// allocates nothing for ASCII input.

/** FNV-1a, 32 bit, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  return fnvUpdate(FNV_OFFSET_BASIS, text) >>> 0;
}

/** Continues an FNV-1a state over the UTF-8 bytes of `text`. */
function fnvUpdate(state: number, text: string): number {
  let hash = state;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      for (const b of utf8.encode(text.slice(i))) hash = Math.imul(hash ^ b, FNV_PRIME);
      return hash;
    }
    hash = Math.imul(hash ^ code, FNV_PRIME);
  }
  return hash;
}

/** FNV-1a of the decimal digits of an unsigned 32-bit integer (the same as fnv1a32(String(n))). */
function fnvOfDecimal(n: number): number {
  let divisor = 1;
  while (divisor * 10 <= n) divisor *= 10;
  let hash = FNV_OFFSET_BASIS;
  for (; divisor >= 1; divisor /= 10) hash = Math.imul(hash ^ (48 + (Math.floor(n / divisor) % 10)), FNV_PRIME);
  return hash >>> 0;
}

/** GrowthBook hash version 2: unbiased, 4 decimals, in [0, 1). */
export function hashV2(seed: string, value: string): number {
  const inner = fnvUpdate(fnvUpdate(FNV_OFFSET_BASIS, seed), value) >>> 0;
  return (fnvOfDecimal(inner) % 10_000) / 10_000;
}

/** GrowthBook hash version 1 (kept by GrowthBook for namespaces): 3 decimals, in [0, 1). */
export function hashV1(seed: string, value: string): number {
  return ((fnvUpdate(fnvUpdate(FNV_OFFSET_BASIS, value), seed) >>> 0) % 1_000) / 1_000;
}

/** A half-open range [start, end) of the unit interval. */
export type BucketRange = readonly [start: number, end: number];

/**
 * GrowthBook's getBucketRanges for valid input: variant i owns
 * [cum_i, cum_i + coverage * w_i) where cum_i is the sum of the weights before
 * it. Each range starts at a fixed point and only grows with coverage, which is
 * why ramping coverage up adds users and never moves one.
 */
export function bucketRanges(coverage: number, weights: readonly number[]): BucketRange[] {
  const c = Math.min(1, Math.max(0, coverage));
  let cumulative = 0;
  return weights.map((w) => {
    const start = cumulative;
    cumulative += w;
    return [start, start + c * w] as const;
  });
}

/** GrowthBook's chooseVariation: the index of the range holding `bucket`, or -1. */
export function chooseVariation(bucket: number, ranges: readonly BucketRange[]): number {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i] as BucketRange;
    if (bucket >= r[0] && bucket < r[1]) return i;
  }
  return -1;
}

/**
 * The v1 seed of a namespace (layer): as GrowthBook's inNamespace, a user is in
 * the part [start, end) of a layer when start ≤ hashV1(namespaceSeed(layer), userId) < end.
 */
export function namespaceSeed(namespace: string): string {
  return `__${namespace}`;
}
