import { chiSquareGoodnessOfFit } from "../statistics/chi-square.js";
import { rate, relativeLift, twoProportionPValue, type Proportion } from "../statistics/proportions.js";
import type { ExperimentDefinition } from "./experiment-definition.js";

/** A split whose chi-square p-value is below this is flagged as a sample ratio mismatch. */
export const SRM_ALPHA = 0.001;

export interface VariantResult {
  variant: string;
  exposedUsers: number;
  convertedUsers: number;
  conversionRate: number;
  lift: number;
  liftCiLow: number;
  liftCiHigh: number;
  pValue: number;
  isControl: boolean;
}

export interface SampleRatio {
  chiSquare: number;
  pValue: number;
  mismatch: boolean;
}

export interface ExperimentResults {
  name: string;
  variants: VariantResult[];
  sampleRatio: SampleRatio;
}

/**
 * Per-variant statistics of one experiment from its exposed and converted user
 * counts: conversion rate, lift over control with a 95% CI, a two-proportion
 * z-test p-value, and the sample-ratio check of exposures against the
 * configured weights. Variants appear in definition order.
 */
export function analyseExperiment(definition: ExperimentDefinition, counts: ReadonlyMap<string, Proportion>): ExperimentResults {
  const of = (variant: string): Proportion => counts.get(variant) ?? { users: 0, conversions: 0 };
  const control = of(definition.controlVariant);
  const variants = definition.variants.map((v): VariantResult => {
    const p = of(v.name);
    const isControl = v.name === definition.controlVariant;
    const lift = isControl ? { lift: 0, ciLow: 0, ciHigh: 0 } : relativeLift(p, control);
    return {
      variant: v.name,
      exposedUsers: p.users,
      convertedUsers: p.conversions,
      conversionRate: rate(p),
      lift: lift.lift,
      liftCiLow: lift.ciLow,
      liftCiHigh: lift.ciHigh,
      pValue: isControl ? 1 : twoProportionPValue(p, control),
      isControl,
    };
  });
  const fit = chiSquareGoodnessOfFit(
    definition.variants.map((v) => of(v.name).users),
    definition.variants.map((v) => v.weight),
  );
  return { name: definition.name, variants, sampleRatio: { chiSquare: fit.chiSquare, pValue: fit.pValue, mismatch: fit.pValue < SRM_ALPHA } };
}
