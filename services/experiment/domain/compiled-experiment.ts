import { bucketRanges, namespaceSeed, type BucketRange } from "./growthbook-hash.js";
import { layerRangeOf } from "./layer-conflicts.js";
import { saltOf, type ExperimentDefinition, type Variant } from "./experiment-definition.js";

/** A targeting rule in the shape the request path checks fastest. */
export interface CompiledCondition {
  attribute: string;
  /** True for IN: the attribute must be one of `values`; false for NOT_IN. */
  include: boolean;
  values: ReadonlySet<string>;
}

/**
 * A running-ready form of one definition: bucket ranges, the layer seed and
 * targeting precomputed, so assigning is hashing and comparing only.
 */
export interface CompiledExperiment {
  name: string;
  /** The layer name as configured ("" when the experiment is its own layer). */
  layer: string;
  /** Key that groups mutually exclusive experiments. */
  exclusionKey: string;
  /** v1 seed of the layer hash ("__" + layer). */
  layerSeed: string;
  salt: string;
  variants: readonly Variant[];
  ranges: readonly BucketRange[];
  layerStart: number;
  layerEnd: number;
  conditions: readonly CompiledCondition[];
  forced: ReadonlyMap<string, Variant>;
  status: ExperimentDefinition["status"];
  startTimeMs: number;
  endTimeMs: number;
}

export function compileExperiment(d: ExperimentDefinition): CompiledExperiment {
  const byName = new Map(d.variants.map((v) => [v.name, v]));
  const range = layerRangeOf(d);
  return {
    name: d.name,
    layer: d.layer,
    exclusionKey: d.layer === "" ? `experiment:${d.name}` : `layer:${d.layer}`,
    layerSeed: namespaceSeed(d.layer),
    salt: saltOf(d),
    variants: d.variants,
    ranges: bucketRanges(d.coverage, d.variants.map((v) => v.weight)),
    layerStart: range.start,
    layerEnd: range.end,
    conditions: d.targeting.map((c) => ({ attribute: c.attribute, include: c.operator === "in", values: new Set(c.values) })),
    forced: new Map(
      Object.entries(d.forcedVariants).flatMap(([user, variant]) => {
        const v = byName.get(variant);
        return v ? [[user, v] as const] : [];
      }),
    ),
    status: d.status,
    startTimeMs: d.startTimeMs ?? -Infinity,
    endTimeMs: d.endTimeMs ?? Infinity,
  };
}

/** Running, and inside its start/end window at `nowMs`. */
export function isActive(e: CompiledExperiment, nowMs: number): boolean {
  return e.status === "running" && nowMs >= e.startTimeMs && nowMs < e.endTimeMs;
}

/** Every condition holds for the request's attributes (NOT_IN also holds when the attribute is absent). */
export function matchesTargeting(e: CompiledExperiment, attributes: Readonly<Record<string, string>>): boolean {
  for (const c of e.conditions) {
    const value = Object.hasOwn(attributes, c.attribute) ? attributes[c.attribute] : undefined;
    const listed = value !== undefined && c.values.has(value);
    if (listed !== c.include) return false;
  }
  return true;
}
