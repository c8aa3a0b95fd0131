import { ContractError, splitFeatureName, type ModelContract } from "./model-contract.js";

export type EntityKind = "user" | "item";

/** One feature view as the feature registry describes it: where each feature sits in the packed row. */
export interface ViewLayout {
  name: string;
  entity: EntityKind;
  version: number;
  width: number;
  features: Map<string, { offset: number; dimension: number }>;
  /** The row served for an entity with nothing stored: every feature's default. */
  defaultRow: Float32Array;
}

/** Copy `length` floats from column `from` of a view row to column `to` of the model input row. */
export interface ColumnCopy {
  from: number;
  to: number;
  length: number;
}

export interface ViewSlice {
  view: ViewLayout;
  copies: ColumnCopy[];
}

/** How to build one model input row from feature view rows. */
export interface InputPlan {
  width: number;
  user: ViewSlice[];
  item: ViewSlice[];
}

/**
 * Binds a model's ordered feature inputs to the registry: every input must name
 * an existing view and feature, the view version must be the one the model was
 * trained on, and the columns must add up to the model's input width.
 */
export function planInputs(contract: ModelContract, registry: ReadonlyMap<string, ViewLayout>): InputPlan {
  const slices = new Map<string, ViewSlice>();
  let to = 0;
  for (const qualified of contract.featureInputs) {
    const [viewName, featureName] = splitFeatureName(qualified);
    const view = registry.get(viewName);
    if (!view) throw new ContractError(`feature input "${qualified}": view "${viewName}" is not in the feature registry`);
    const feature = view.features.get(featureName);
    if (!feature) throw new ContractError(`feature input "${qualified}": view "${viewName}" has no feature "${featureName}"`);
    const trained = contract.viewVersions[viewName];
    if (trained !== undefined && trained !== view.version) {
      throw new ContractError(`feature view "${viewName}" is at version ${view.version}, the model was trained on version ${trained}`);
    }
    const slice = slices.get(viewName) ?? { view, copies: [] };
    slices.set(viewName, slice);
    const last = slice.copies.at(-1);
    // Adjacent columns in both rows become one copy: fewer, longer copies per candidate row.
    if (last && last.from + last.length === feature.offset && last.to + last.length === to) last.length += feature.dimension;
    else slice.copies.push({ from: feature.offset, to, length: feature.dimension });
    to += feature.dimension;
  }
  if (to !== contract.input.width) {
    throw new ContractError(`feature inputs add up to ${to} columns but the model input "${contract.input.name}" has width ${contract.input.width}`);
  }
  const all = [...slices.values()];
  return { width: to, user: all.filter((s) => s.view.entity === "user"), item: all.filter((s) => s.view.entity === "item") };
}
