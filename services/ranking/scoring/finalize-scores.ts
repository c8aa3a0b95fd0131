/** The lowest finite float32: where a non-finite score is put so the item sorts last. */
export const LOWEST_SCORE = -3.4028234663852886e38;

/** Sort keys hold the input index in their low bits: calls with more scores are ordered by a comparator. */
const INDEX_SPAN = 2 ** 20;

export interface FinalScores {
  /** Scores in input order; NaN/±Inf replaced by LOWEST_SCORE. */
  scores: Float32Array;
  /** Input indices, best first (ties keep input order). */
  order: Uint32Array;
  nonFinite: number;
}

/** Makes model output safe to return: no NaN or infinity leaves the service, and the order is computed once here. */
export function finalizeScores(raw: Float32Array): FinalScores {
  const count = raw.length;
  const scores = new Float32Array(count);
  let nonFinite = 0;
  for (let i = 0; i < count; i++) {
    const s = raw[i] as number;
    // `+ 0` turns -0 into 0: the two must tie, and their bit patterns differ.
    if (Number.isFinite(s)) scores[i] = s + 0;
    else {
      scores[i] = LOWEST_SCORE;
      nonFinite++;
    }
  }
  return { scores, order: count <= INDEX_SPAN ? bestFirst(scores) : bestFirstByComparator(scores), nonFinite };
}

/**
 * Indices by descending score, ties in input order, through one native sort of
 * float64 keys (no comparator calls): the float32's bits mapped to an unsigned
 * integer that orders like the float, inverted, times INDEX_SPAN, plus the index.
 */
function bestFirst(scores: Float32Array): Uint32Array {
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  const keys = new Float64Array(scores.length);
  for (let i = 0; i < keys.length; i++) {
    const b = bits[i] as number;
    const ordered = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[i] = (0xffffffff - ordered) * INDEX_SPAN + i;
  }
  keys.sort();
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = (keys[i] as number) % INDEX_SPAN;
  return order;
}

function bestFirstByComparator(scores: Float32Array): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}
