/**
 * Complementary error function with fractional error below 1.2e-7 everywhere,
 * tails included (Numerical Recipes in C, 2nd ed., §6.2, erfcc: a Chebyshev
 * fit of exp(z²)·erfc(z)). Relative accuracy in the tail is what keeps small
 * p-values meaningful, which the Abramowitz–Stegun 7.1.26 form does not give.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const ans =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? ans : 2 - ans;
}

/** Φ(z): the standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** P(|Z| ≥ |z|) for a standard normal Z. */
export function twoSidedPValue(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** z with Φ(z) = 0.975: the half-width multiplier of a 95% interval. */
export const Z_95 = 1.959963984540054;
