import { describe, expect, it } from "vitest";
import { FeatureRegistry } from "../registry/feature-registry.js";
import { FEATURE_VIEWS } from "../registry/feature-views.js";
import { HOUR_MS, decayFactor, smoothedRatio } from "./decay.js";
import { finishRow } from "./read-time.js";
import { advanceRow } from "./row-clock.js";
import { emptyRow } from "./stored-row.js";

const registry = new FeatureRegistry(FEATURE_VIEWS);
const activity = registry.find("user_activity");
if (!activity) throw new Error("no user_activity");
const col = (name: string) => registry.column("user_activity", name);

describe("decay math", () => {
  it("halves per half-life and never grows", () => {
    expect(decayFactor(HOUR_MS, 1)).toBeCloseTo(0.5, 12);
    expect(decayFactor(3 * 24 * HOUR_MS, 24)).toBeCloseTo(0.125, 12);
    expect(decayFactor(0, 1)).toBe(1);
    expect(decayFactor(-HOUR_MS, 1)).toBe(1);
  });

  it("smooths a ratio towards its prior", () => {
    expect(smoothedRatio(0, 0, 0.05, 20)).toBeCloseTo(0.05, 12);
    expect(smoothedRatio(10, 20, 0.05, 20)).toBeCloseTo(11 / 40, 12);
  });

  it("moves a row forward in time by decaying its decayed columns and nothing else", () => {
    const t0 = Date.UTC(2025, 0, 1);
    const row = emptyRow(activity, t0);
    row.values[col("views_1h")] = 8;
    row.values[col("views_1d")] = 8;
    row.values[col("total_interactions")] = 8;
    expect(advanceRow(activity, row, t0 + 2 * HOUR_MS)).toBe(0);
    expect(row.eventTimeMs).toBe(t0 + 2 * HOUR_MS);
    expect(row.values[col("views_1h")]).toBeCloseTo(2, 5);
    expect(row.values[col("views_1d")]).toBeCloseTo(8 * 2 ** (-2 / 24), 5);
    expect(row.values[col("total_interactions")]).toBe(8);
    // An older event leaves the row's time alone and reports how far behind it is.
    expect(advanceRow(activity, row, t0)).toBe(2 * HOUR_MS);
    expect(row.eventTimeMs).toBe(t0 + 2 * HOUR_MS);
  });

  it("finishes a row at read time: decays to now, recency in hours, CTR from the decayed counts", () => {
    const values = activity.defaultRow.slice();
    values[col("views_7d")] = 20;
    values[col("clicks_7d")] = 4;
    values[col("clicks_1h")] = 1;
    values[col("total_interactions")] = 24;
    finishRow(activity, values, 0, 168 * HOUR_MS);
    expect(values[col("views_7d")]).toBeCloseTo(10, 4);
    expect(values[col("clicks_7d")]).toBeCloseTo(2, 5);
    expect(values[col("clicks_1h")]).toBeCloseTo(2 ** -168, 10);
    expect(values[col("hours_since_last_interaction")]).toBeCloseTo(168, 4);
    expect(values[col("ctr_7d")]).toBeCloseTo((2 + 0.05 * 20) / (10 + 20), 5);
    expect(values[col("total_interactions")]).toBe(24);
  });

  it("finishes a row in place inside a block without touching its neighbours", () => {
    const w = activity.width;
    const block = new Float32Array(3 * w).fill(7);
    finishRow(activity, block, w, HOUR_MS);
    expect(block[col("views_1h")]).toBe(7);
    expect(block[w + col("views_1h")]).toBeCloseTo(3.5, 5);
    expect(block[2 * w + col("views_1h")]).toBe(7);
  });
});
