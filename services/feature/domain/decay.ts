export const HOUR_MS = 3_600_000;

/** 2^(-elapsed / half-life): what a unit contributed `elapsedMs` ago is worth now. Never above 1. */
export function decayFactor(elapsedMs: number, halfLifeHours: number): number {
  if (!(elapsedMs > 0)) return 1;
  return 2 ** (-elapsedMs / (halfLifeHours * HOUR_MS));
}

/** A ratio pulled towards `prior` as if `strength` observations at the prior had been seen. */
export function smoothedRatio(numerator: number, denominator: number, prior: number, strength: number): number {
  return (numerator + prior * strength) / (denominator + strength);
}
