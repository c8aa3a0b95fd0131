import type { Rng } from "./prng.js";
import type { PriceBand } from "./world-types.js";

/**
 * Conversion probabilities along views → clicks → add-to-cart → purchases.
 * Affinity is taste·embedding (cosine, both unit length): items close to the
 * user's taste convert more often; expensive items convert less.
 */
const CLICK_BIAS = -2.5;
const CLICK_SLOPE = 4;
const AFFINITY_PIVOT = 0.3;
/** A user coming back to an item already clicked is more likely to click again. */
const REVISIT_CLICK_BOOST = 1.2;
const CART_BIAS = -2.2;
const CART_SLOPE = 2.5;
const PURCHASE_BIAS = -0.3;
const BAND_ADJUSTMENT: Record<PriceBand, number> = { budget: 0.3, mid: 0, premium: -0.3, luxury: -0.7 };

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function clickProbability(affinity: number, revisit: boolean): number {
  return sigmoid(CLICK_BIAS + CLICK_SLOPE * (affinity - AFFINITY_PIVOT) + (revisit ? REVISIT_CLICK_BOOST : 0));
}

export function cartProbability(affinity: number, band: PriceBand): number {
  return sigmoid(CART_BIAS + CART_SLOPE * (affinity - AFFINITY_PIVOT) + BAND_ADJUSTMENT[band]);
}

export function purchaseProbability(band: PriceBand): number {
  return sigmoid(PURCHASE_BIAS + BAND_ADJUSTMENT[band]);
}

/** Seconds spent on a viewed item: log-normal around 15 s, longer for items near the taste. */
export function dwellSeconds(rng: Rng, affinity: number): number {
  return Math.round(15 * (1 + Math.max(0, affinity)) * Math.exp(0.6 * rng.normal()) * 10) / 10;
}
