import { describe, expect, it } from "vitest";
import { chiSquareGoodnessOfFit, chiSquarePValue } from "./chi-square.js";
import { gammaP, gammaQ, lnGamma } from "./gamma.js";
import { erfc, normalCdf, twoSidedPValue, Z_95 } from "./normal.js";
import { relativeLift, twoProportionPValue } from "./proportions.js";

/** |actual − expected| ≤ rel·|expected|: tail probabilities are checked relatively, not to a fixed number of decimals. */
function expectRelative(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe("normal distribution", () => {
  it("matches standard normal table values", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(-1.96)).toBeCloseTo(0.0249979, 6);
    expect(normalCdf(3)).toBeCloseTo(0.9986501, 6);
    expect(erfc(0)).toBeCloseTo(1, 7);
  });

  it("gives the classic two-sided critical values", () => {
    expect(twoSidedPValue(Z_95)).toBeCloseTo(0.05, 6);
    expect(twoSidedPValue(2.5758293)).toBeCloseTo(0.01, 6);
    expect(twoSidedPValue(3.2905267)).toBeCloseTo(0.001, 6);
    expect(twoSidedPValue(-Z_95)).toBeCloseTo(0.05, 6);
  });

  it("keeps relative precision deep in the tail", () => {
    // 1 − Φ(5) = 2.8665157e-7 and P(|Z| ≥ 6) = 1.9731753e-9 (e.g. Abramowitz & Stegun table 26.1).
    expectRelative(1 - normalCdf(5), 2.8665157e-7, 1e-3);
    expectRelative(twoSidedPValue(6), 1.9731753e-9, 1e-6);
  });
});

describe("incomplete gamma and chi-square", () => {
  it("lnGamma matches closed forms", () => {
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 9);
    expect(lnGamma(1)).toBeCloseTo(0, 9);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362_880), 9);
  });

  it("P + Q = 1 on both sides of the series/continued-fraction switch", () => {
    for (const [a, x] of [[0.5, 0.2], [2, 2.5], [2, 3.5], [10, 30]] as const) {
      expect(gammaP(a, x) + gammaQ(a, x)).toBeCloseTo(1, 12);
    }
    // Q(1, x) = e^{−x} exactly.
    expect(gammaQ(1, 10)).toBeCloseTo(Math.exp(-10), 15);
  });

  // Upper critical values from the standard chi-square table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
  it.each([
    [3.841459, 1, 0.05],
    [6.634897, 1, 0.01],
    [10.827566, 1, 0.001],
    [5.991465, 2, 0.05],
    [13.815511, 2, 0.001],
    [7.814728, 3, 0.05],
    [16.266236, 3, 0.001],
    [11.070498, 5, 0.05],
    [18.307038, 10, 0.05],
  ])("χ²=%d with %i df has upper tail %d", (x, df, p) => {
    expectRelative(chiSquarePValue(x, df), p, 1e-5);
  });

  it("stays accurate for tiny tails", () => {
    // df = 2: the tail is exactly e^{−x/2}.
    expectRelative(chiSquarePValue(20, 2), Math.exp(-10), 1e-9);
    // df = 1: the tail is erfc(√(x/2)) = P(|Z| ≥ √x); reference 7.744216e-6 (scipy.stats.chi2.sf(20, 1)).
    expectRelative(chiSquarePValue(20, 1), 7.744216431e-6, 1e-5);
    expectRelative(chiSquarePValue(100, 10), 5.4497019829e-17, 1e-6);
    expect(chiSquarePValue(0, 3)).toBe(1);
  });

  it("goodness of fit: a perfect split has p = 1, a 45/55 split of 2000 on 50/50 has χ² = 20", () => {
    expect(chiSquareGoodnessOfFit([500, 300, 200], [0.5, 0.3, 0.2])).toEqual({ chiSquare: 0, degreesOfFreedom: 2, pValue: 1 });
    const srm = chiSquareGoodnessOfFit([900, 1100], [0.5, 0.5]);
    expect(srm.chiSquare).toBeCloseTo(20, 10);
    expectRelative(srm.pValue, 7.744216431e-6, 1e-5);
    expect(chiSquareGoodnessOfFit([0, 0], [0.5, 0.5]).pValue).toBe(1);
  });
});

describe("two proportions", () => {
  it("z-test p-value from the pooled standard error", () => {
    // 120/1000 vs 100/1000: p̂ = 0.11, SE = 0.0139929, z = 1.42930, p = 0.152918.
    expect(twoProportionPValue({ users: 1000, conversions: 120 }, { users: 1000, conversions: 100 })).toBeCloseTo(0.152918, 5);
    // 880/4000 vs 800/4000 (a 10% relative lift on 20%): z = 2.19595, p = 0.0280958.
    expect(twoProportionPValue({ users: 4000, conversions: 880 }, { users: 4000, conversions: 800 })).toBeCloseTo(0.0280958, 6);
  });

  it("is 1 when there is nothing to compare", () => {
    expect(twoProportionPValue({ users: 0, conversions: 0 }, { users: 10, conversions: 1 })).toBe(1);
    expect(twoProportionPValue({ users: 10, conversions: 0 }, { users: 10, conversions: 0 })).toBe(1);
  });

  it("relative lift with a delta-method 95% interval", () => {
    // p0 = 0.2, p1 = 0.22: lift 0.1, sd = √(V1/p0² + p1²V0/p0⁴) = 0.0477815, CI 0.1 ± 1.959964·sd.
    const l = relativeLift({ users: 4000, conversions: 880 }, { users: 4000, conversions: 800 });
    expect(l.lift).toBeCloseTo(0.1, 12);
    expect(l.ciLow).toBeCloseTo(0.0063617, 6);
    expect(l.ciHigh).toBeCloseTo(0.1936383, 6);
    expect(relativeLift({ users: 10, conversions: 1 }, { users: 10, conversions: 0 })).toEqual({ lift: 0, ciLow: 0, ciHigh: 0 });
  });
});
