import type { Rng } from "./prng.js";

/** Dimension of every embedding and taste vector in recmesh. */
export const EMBEDDING_DIM = 32;

/** Decimal places kept in embeddings, so files and events carry exactly the same numbers. */
const EMBEDDING_DECIMALS = 6;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

export function norm(v: ArrayLike<number>): number {
  return Math.sqrt(dot(v, v));
}

/** v scaled to unit length and rounded to the stored precision. */
export function unitRounded(v: number[]): number[] {
  const n = norm(v) || 1;
  const scale = 10 ** EMBEDDING_DECIMALS;
  return v.map((x) => Math.round((x / n) * scale) / scale);
}

/** Isotropic Gaussian vector with the given standard deviation per component. */
export function gaussian(rng: Rng, sigma: number, dim = EMBEDDING_DIM): number[] {
  const v = new Array<number>(dim);
  for (let i = 0; i < dim; i++) v[i] = rng.normal() * sigma;
  return v;
}

/** Σ weight·vector, component-wise. */
export function weightedSum(terms: { weight: number; vector: ArrayLike<number> }[], dim = EMBEDDING_DIM): number[] {
  const out = new Array<number>(dim).fill(0);
  for (const { weight, vector } of terms) {
    for (let i = 0; i < dim; i++) out[i] = (out[i] ?? 0) + weight * (vector[i] ?? 0);
  }
  return out;
}

/** A random direction on the unit sphere. */
export function randomUnit(rng: Rng, dim = EMBEDDING_DIM): number[] {
  return unitRounded(gaussian(rng, 1, dim));
}
