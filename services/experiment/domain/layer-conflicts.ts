import type { ExperimentDefinition, LayerRange } from "./experiment-definition.js";

const WHOLE_LAYER: LayerRange = { start: 0, end: 1 };

export function layerRangeOf(d: ExperimentDefinition): LayerRange {
  return d.layerRange ?? WHOLE_LAYER;
}

/**
 * The first other experiment of the same layer whose range overlaps the
 * candidate's. Stopped experiments release their range; drafts keep it, since
 * they are about to run.
 */
export function findLayerConflict(candidate: ExperimentDefinition, others: Iterable<ExperimentDefinition>): ExperimentDefinition | undefined {
  if (candidate.layer === "" || candidate.status === "stopped") return undefined;
  const mine = layerRangeOf(candidate);
  for (const other of others) {
    if (other.name === candidate.name || other.layer !== candidate.layer || other.status === "stopped") continue;
    const theirs = layerRangeOf(other);
    if (mine.start < theirs.end && theirs.start < mine.end) return other;
  }
  return undefined;
}
