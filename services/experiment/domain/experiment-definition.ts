/** Lifecycle of a definition: only running experiments assign users. */
export type ExperimentStatus = "unspecified" | "draft" | "running" | "stopped";

/** Targeting operator; "unspecified" only ever appears in invalid input. */
export type ConditionOperator = "unspecified" | "in" | "not_in";

export interface Variant {
  name: string;
  /** Share of covered traffic in (0, 1]; the weights of an experiment sum to 1. */
  weight: number;
  params: Record<string, string>;
}

export interface Condition {
  attribute: string;
  operator: ConditionOperator;
  values: string[];
}

/** [start, end) of the layer's hash space the experiment owns. */
export interface LayerRange {
  start: number;
  end: number;
}

/** One A/B test, independent of its wire format (proto mapping lives in the adapters). */
export interface ExperimentDefinition {
  name: string;
  description: string;
  /** Experiments in one layer are mutually exclusive; "" means the experiment is its own layer. */
  layer: string;
  /** Hash seed; "" means the name. */
  salt: string;
  variants: Variant[];
  controlVariant: string;
  /** Share of eligible users in the experiment, in [0, 1]. */
  coverage: number;
  /** All must hold for a request to be eligible. */
  targeting: Condition[];
  /** QA overrides: user id → variant name. */
  forcedVariants: Record<string, string>;
  status: ExperimentStatus;
  /** Epoch milliseconds; undefined: no bound. */
  startTimeMs: number | undefined;
  endTimeMs: number | undefined;
  /** Interaction type name that converts; "" means CLICK. */
  conversionEvent: string;
  /** undefined: the whole layer. */
  layerRange: LayerRange | undefined;
}

/** A definition as stored, with the KV revision that wrote it. */
export interface StoredDefinition {
  definition: ExperimentDefinition;
  revision: number;
}

/** Interaction type names a conversion may name (recmesh.common.v1.InteractionType without its prefix). */
export const CONVERSION_EVENTS = ["VIEW", "CLICK", "ADD_TO_CART", "PURCHASE", "RATING", "DISMISS"] as const;

export const DEFAULT_CONVERSION_EVENT = "CLICK";

export function conversionEventOf(definition: ExperimentDefinition): string {
  return definition.conversionEvent || DEFAULT_CONVERSION_EVENT;
}

export function saltOf(definition: ExperimentDefinition): string {
  return definition.salt || definition.name;
}
