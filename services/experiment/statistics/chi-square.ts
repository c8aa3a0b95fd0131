import { gammaQ } from "./gamma.js";

/** Upper-tail probability P(X ≥ x) of a chi-square variable with `df` degrees of freedom. */
export function chiSquarePValue(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

export interface GoodnessOfFit {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
}

/**
 * Pearson's chi-square goodness-of-fit of observed counts against expected
 * proportions (which sum to 1), with k − 1 degrees of freedom.
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], proportions: readonly number[]): GoodnessOfFit {
  if (observed.length !== proportions.length || observed.length < 2) {
    throw new RangeError("goodness of fit needs as many proportions as counts, and at least two of each");
  }
  const total = observed.reduce((s, o) => s + o, 0);
  let chiSquare = 0;
  observed.forEach((o, i) => {
    const expected = total * (proportions[i] ?? 0);
    if (expected > 0) chiSquare += ((o - expected) * (o - expected)) / expected;
  });
  const degreesOfFreedom = observed.length - 1;
  return { chiSquare, degreesOfFreedom, pValue: total === 0 ? 1 : chiSquarePValue(chiSquare, degreesOfFreedom) };
}
