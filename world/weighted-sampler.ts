import type { Rng } from "./prng.js";

/**
 * Walker/Vose alias table: after O(n) set-up, draws index i with probability
 * weights[i] / Σ weights in O(1). Used for popularity-driven exposure.
 */
export class AliasSampler {
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError("alias sampler over no weights");
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i] ?? 0;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = ((weights[i] ?? 0) * n) / total;
      ((scaled[i] ?? 0) < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.probability[s] = scaled[s] ?? 0;
      this.alias[s] = l;
      scaled[l] = (scaled[l] ?? 0) + (scaled[s] ?? 0) - 1;
      ((scaled[l] ?? 0) < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.probability[i] = 1;
  }

  get size(): number {
    return this.probability.length;
  }

  sample(rng: Rng): number {
    const i = rng.int(this.probability.length);
    return rng.next() < (this.probability[i] ?? 1) ? i : (this.alias[i] ?? i);
  }
}

/** Index drawn with probability ∝ exp(scores[i]) (numerically stable softmax). */
export function softmaxSample(rng: Rng, scores: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i] ?? -Infinity);
  let total = 0;
  const weights = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    weights[i] = Math.exp((scores[i] ?? -Infinity) - max);
    total += weights[i] ?? 0;
  }
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] ?? 0;
    if (u < 0) return i;
  }
  return weights.length - 1;
}
