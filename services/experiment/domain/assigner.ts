import { compileExperiment, isActive, matchesTargeting, type CompiledExperiment } from "./compiled-experiment.js";
import type { ExperimentDefinition, Variant } from "./experiment-definition.js";
import { chooseVariation, hashV1, hashV2 } from "./growthbook-hash.js";

/** The variant of one experiment a user is in. */
export interface Assignment {
  experiment: string;
  variant: string;
  layer: string;
  params: Record<string, string>;
  /** A QA override: never logged as an exposure. */
  forced: boolean;
  /** GrowthBook v2 hash of (salt, user id) in [0, 1). */
  bucket: number;
}

/**
 * An immutable, compiled snapshot of every definition, grouped by exclusion
 * (one group per layer; an experiment without a layer is a group of its own).
 * Assignment reads only this snapshot: no I/O, no allocation beyond the result.
 */
export class ExperimentSet {
  private readonly groups: readonly (readonly CompiledExperiment[])[];

  constructor(definitions: Iterable<ExperimentDefinition>) {
    const byKey = new Map<string, CompiledExperiment[]>();
    for (const d of definitions) {
      const e = compileExperiment(d);
      const group = byKey.get(e.exclusionKey);
      if (group) group.push(e);
      else byKey.set(e.exclusionKey, [e]);
    }
    this.groups = [...byKey.keys()].sort().map((k) => (byKey.get(k) ?? []).sort((a, b) => (a.name < b.name ? -1 : 1)));
  }

  /**
   * Every assignment of the user at `nowMs`. Within a group at most one
   * experiment assigns the user: a QA-forced one first, otherwise the first by
   * name whose layer range holds the user's layer hash, whose targeting holds
   * and whose coverage takes the user's bucket. `only` filters what is
   * returned, never which experiment wins a layer.
   */
  assign(userId: string, attributes: Readonly<Record<string, string>>, nowMs: number, only?: ReadonlySet<string>): Assignment[] {
    const out: Assignment[] = [];
    for (const group of this.groups) {
      const won = forcedIn(group, userId, nowMs) ?? randomisedIn(group, userId, attributes, nowMs);
      if (won && (!only || only.has(won.experiment))) out.push(won);
    }
    return out;
  }
}

function forcedIn(group: readonly CompiledExperiment[], userId: string, nowMs: number): Assignment | undefined {
  for (const e of group) {
    if (e.forced.size === 0 || !isActive(e, nowMs)) continue;
    const variant = e.forced.get(userId);
    if (variant) return toAssignment(e, variant, true, hashV2(e.salt, userId));
  }
  return undefined;
}

function randomisedIn(
  group: readonly CompiledExperiment[],
  userId: string,
  attributes: Readonly<Record<string, string>>,
  nowMs: number,
): Assignment | undefined {
  let layerHash = -1;
  for (const e of group) {
    if (!isActive(e, nowMs)) continue;
    if (e.layer !== "") {
      if (layerHash < 0) layerHash = hashV1(e.layerSeed, userId);
      if (layerHash < e.layerStart || layerHash >= e.layerEnd) continue;
    }
    if (!matchesTargeting(e, attributes)) continue;
    const bucket = hashV2(e.salt, userId);
    const index = chooseVariation(bucket, e.ranges);
    if (index >= 0) return toAssignment(e, e.variants[index] as Variant, false, bucket);
  }
  return undefined;
}

function toAssignment(e: CompiledExperiment, variant: Variant, forced: boolean, bucket: number): Assignment {
  return { experiment: e.name, variant: variant.name, layer: e.layer, params: variant.params, forced, bucket };
}
