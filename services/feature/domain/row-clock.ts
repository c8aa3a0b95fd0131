import type { FeatureView } from "../registry/feature-registry.js";
import { decayFactor } from "./decay.js";
import type { StoredRow } from "./stored-row.js";

interface DecayPlan {
  columns: { offset: number; dimension: number; halfLifeHours: number }[];
  state: { index: number; halfLifeHours: number }[];
}

const plans = new WeakMap<FeatureView, DecayPlan>();

function decayPlan(view: FeatureView): DecayPlan {
  let plan = plans.get(view);
  if (!plan) {
    plan = {
      columns: view.features.flatMap((f) =>
        f.readTime?.kind === "decay" ? [{ offset: f.offset, dimension: f.dimension, halfLifeHours: f.readTime.halfLifeHours }] : [],
      ),
      state: view.state.flatMap((s, index) => (s.halfLifeHours ? [{ index, halfLifeHours: s.halfLifeHours }] : [])),
    };
    plans.set(view, plan);
  }
  return plan;
}

/**
 * Brings a row to the time of an event before the event is added. A newer
 * event moves the row's time forward, decaying its decayed columns and state
 * to it, and returns 0; an older (out-of-order) event leaves the row's time and
 * returns how far behind it the event is, so its contribution is decayed
 * instead. Either way the result does not depend on arrival order beyond rounding.
 */
export function advanceRow(view: FeatureView, row: StoredRow, eventTimeMs: number): number {
  if (!(eventTimeMs > row.eventTimeMs)) return row.eventTimeMs - eventTimeMs;
  const elapsed = eventTimeMs - row.eventTimeMs;
  const plan = decayPlan(view);
  for (const c of plan.columns) {
    const factor = decayFactor(elapsed, c.halfLifeHours);
    for (let i = c.offset; i < c.offset + c.dimension; i++) row.values[i] = (row.values[i] ?? 0) * factor;
  }
  for (const s of plan.state) row.state[s.index] = (row.state[s.index] ?? 0) * decayFactor(elapsed, s.halfLifeHours);
  row.eventTimeMs = eventTimeMs;
  return 0;
}
