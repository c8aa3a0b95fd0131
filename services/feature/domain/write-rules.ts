import type { FeatureView } from "../registry/feature-registry.js";
import { decayFactor } from "./decay.js";
import type { WrittenEntity } from "./feature-events.js";
import { advanceRow } from "./row-clock.js";
import { cloneRow, emptyRow, type StoredRow } from "./stored-row.js";

/**
 * Sets the written features of one entity; features not named keep their
 * stored values. The row moves to the entity's event time first; a decayed
 * value written as of an older time than the row's is decayed to the row's time.
 */
export function applyWrite(view: FeatureView, row: StoredRow | undefined, entity: WrittenEntity, sequence: number): StoredRow {
  const next = row ? cloneRow(row) : emptyRow(view, entity.timeMs);
  const lag = advanceRow(view, next, entity.timeMs);
  for (const written of entity.values) {
    const feature = view.features.find((f) => f.name === written.feature);
    if (!feature) throw new Error(`${view.name} has no feature ${written.feature}: writes are validated before they are applied`);
    const factor = feature.readTime?.kind === "decay" ? decayFactor(lag, feature.readTime.halfLifeHours) : 1;
    written.values.forEach((v, i) => {
      next.values[feature.offset + i] = v * factor;
    });
  }
  next.sequence = sequence;
  return next;
}
