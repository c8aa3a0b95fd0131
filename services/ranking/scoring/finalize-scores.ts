/** The lowest finite float32: where a non-finite score is put so the item sorts last. */
export const LOWEST_SCORE = -3.4028234663852886e38;

export interface FinalScores {
  /** Scores in input order; NaN/±Inf replaced by LOWEST_SCORE. */
  scores: Float32Array;
  /** Input indices, best first (ties keep input order). */
  order: Uint32Array;
  nonFinite: number;
}

/** Makes model output safe to return: no NaN or infinity leaves the service, and the order is computed once here. */
export function finalizeScores(raw: Float32Array): FinalScores {
  const scores = new Float32Array(raw.length);
  let nonFinite = 0;
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i] as number;
    if (Number.isFinite(s)) scores[i] = s;
    else {
      scores[i] = LOWEST_SCORE;
      nonFinite++;
    }
  }
  const order = new Uint32Array(raw.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return { scores, order, nonFinite };
}
