import { twoSidedPValue, Z_95 } from "./normal.js";

/** Users and the users among them who converted. */
export interface Proportion {
  users: number;
  conversions: number;
}

export function rate(p: Proportion): number {
  return p.users === 0 ? 0 : p.conversions / p.users;
}

/**
 * Two-sided two-proportion z-test with the pooled standard error:
 * z = (p₁ − p₀) / √(p̂(1 − p̂)(1/n₁ + 1/n₀)), p̂ = (x₁ + x₀)/(n₁ + n₀).
 * 1 when there is nothing to compare (an empty arm, or no variance at all).
 */
export function twoProportionPValue(treatment: Proportion, control: Proportion): number {
  if (treatment.users === 0 || control.users === 0) return 1;
  const pooled = (treatment.conversions + control.conversions) / (treatment.users + control.users);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.users + 1 / control.users));
  if (se === 0) return 1;
  return twoSidedPValue((rate(treatment) - rate(control)) / se);
}

export interface Lift {
  /** (p₁ − p₀) / p₀. */
  lift: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * Relative lift with a 95% interval from the delta method (as GrowthBook's
 * frequentist engine does): Var(p₁/p₀) ≈ V₁/p₀² + p₁²·V₀/p₀⁴ with Vᵢ = pᵢ(1 − pᵢ)/nᵢ.
 * All zero when the control rate is 0 or an arm is empty (the ratio is undefined).
 */
export function relativeLift(treatment: Proportion, control: Proportion): Lift {
  const p0 = rate(control);
  const p1 = rate(treatment);
  if (p0 === 0 || treatment.users === 0) return { lift: 0, ciLow: 0, ciHigh: 0 };
  const v0 = (p0 * (1 - p0)) / control.users;
  const v1 = (p1 * (1 - p1)) / treatment.users;
  const sd = Math.sqrt(v1 / (p0 * p0) + (p1 * p1 * v0) / (p0 * p0 * p0 * p0));
  const lift = p1 / p0 - 1;
  return { lift, ciLow: lift - Z_95 * sd, ciHigh: lift + Z_95 * sd };
}
