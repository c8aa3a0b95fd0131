export interface TokenBucketLimit {
  /** Tokens added per second to each bucket. */
  ratePerSecond: number;
  /** Bucket size: how many calls a caller may make at once after being idle. */
  burst: number;
  /**
   * Most buckets kept; the least recently used one is dropped beyond it, which
   * only ever gives that caller a full bucket back, so memory stays bounded
   * however many callers appear.
   */
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** One token bucket per key (a caller), refilled continuously; pure, with an injectable clock. */
export class TokenBuckets {
  // Map order is recency order: a touched bucket is re-inserted at the end.
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: TokenBucketLimit,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1) || !(limit.maxKeys >= 1)) {
      throw new RangeError("a token bucket needs ratePerSecond > 0, burst >= 1 and maxKeys >= 1");
    }
  }

  /** Takes one token of `key`'s bucket: 0 when granted, otherwise the milliseconds until a token will be there. */
  take(key: string): number {
    const now = this.nowMs();
    const { ratePerSecond, burst, maxKeys } = this.limit;
    const bucket = this.buckets.get(key);
    let tokens = burst;
    if (bucket) {
      tokens = Math.min(burst, bucket.tokens + ((now - bucket.atMs) * ratePerSecond) / 1000);
      this.buckets.delete(key);
    } else if (this.buckets.size >= maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    const granted = tokens >= 1;
    this.buckets.set(key, { tokens: granted ? tokens - 1 : tokens, atMs: now });
    return granted ? 0 : ((1 - tokens) * 1000) / ratePerSecond;
  }

  get size(): number {
    return this.buckets.size;
  }
}
