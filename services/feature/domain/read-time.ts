import type { FeatureView } from "../registry/feature-registry.js";
import { HOUR_MS, decayFactor, smoothedRatio } from "./decay.js";

interface ReadPlan {
  /** Distinct half-lives, and for each the columns that decay with it. */
  decays: { halfLifeHours: number; columns: number[] }[];
  ages: number[];
  ratios: { column: number; numerator: number; denominator: number; prior: number; strength: number }[];
  identity: boolean;
}

const plans = new WeakMap<FeatureView, ReadPlan>();

function readPlan(view: FeatureView): ReadPlan {
  const cached = plans.get(view);
  if (cached) return cached;
  const offsetOf = (name: string) => view.features.find((f) => f.name === name)?.offset ?? -1;
  const decays = new Map<number, number[]>();
  const ages: number[] = [];
  const ratios: ReadPlan["ratios"] = [];
  for (const f of view.features) {
    const rt = f.readTime;
    if (rt?.kind === "decay") {
      const columns = decays.get(rt.halfLifeHours) ?? [];
      for (let i = 0; i < f.dimension; i++) columns.push(f.offset + i);
      decays.set(rt.halfLifeHours, columns);
    } else if (rt?.kind === "age_hours") {
      ages.push(f.offset);
    } else if (rt?.kind === "smoothed_ratio") {
      ratios.push({ column: f.offset, numerator: offsetOf(rt.numerator), denominator: offsetOf(rt.denominator), prior: rt.prior, strength: rt.strength });
    }
  }
  const plan: ReadPlan = {
    decays: [...decays].map(([halfLifeHours, columns]) => ({ halfLifeHours, columns })),
    ages,
    ratios,
    identity: decays.size === 0 && ages.length === 0 && ratios.length === 0,
  };
  plans.set(view, plan);
  return plan;
}

/** True when stored rows of this view are served as stored (no read-time columns). */
export function servedAsStored(view: FeatureView): boolean {
  return readPlan(view).identity;
}

/**
 * Turns a stored row (in `values` at `base`) into the served row as of the
 * read: decayed sums decayed to now, recency from the row's event time, then
 * ratios of the decayed values. `ageMs` is read time minus the row's event time.
 */
export function finishRow(view: FeatureView, values: Float32Array, base: number, ageMs: number): void {
  const plan = readPlan(view);
  if (plan.identity) return;
  for (const d of plan.decays) {
    const factor = decayFactor(ageMs, d.halfLifeHours);
    for (const c of d.columns) values[base + c] = (values[base + c] ?? 0) * factor;
  }
  const hours = Math.max(0, ageMs) / HOUR_MS;
  for (const c of plan.ages) values[base + c] = hours;
  for (const r of plan.ratios) {
    values[base + r.column] = smoothedRatio(values[base + r.numerator] ?? 0, values[base + r.denominator] ?? 0, r.prior, r.strength);
  }
}
