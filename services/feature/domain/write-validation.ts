import { InvalidArgumentError } from "../../kit/errors/errors.js";
import type { Feature, FeatureRegistry, FeatureView } from "../registry/feature-registry.js";
import { checkEntityIds } from "./entity-ids.js";
import type { WrittenEntity, WrittenValue } from "./feature-events.js";

/** A value as a caller sent it: its kind and its numbers (booleans as 0/1). */
export interface WriteInputValue {
  name: string;
  kind: "float" | "int" | "bool" | "vector" | "none";
  numbers: number[];
}

export interface WriteInputEntity {
  entityId: string;
  /** Epoch ms the values were computed at; undefined means now. */
  timeMs: number | undefined;
  values: WriteInputValue[];
}

export interface ValidWrite {
  view: FeatureView;
  entities: WrittenEntity[];
}

/**
 * Checks a write against the registry: a known view, 1..maxEntities entities,
 * known writable features named "view:feature" (or bare), each value of the
 * feature's type and dimension, finite. Read-time features cannot be written.
 */
export function validateWrite(
  registry: FeatureRegistry,
  viewName: string,
  entities: WriteInputEntity[],
  options: { maxEntities: number; nowMs: number },
): ValidWrite {
  const view = registry.view(viewName, "view");
  checkEntityIds(
    entities.map((e) => e.entityId),
    options.maxEntities,
    "entities",
  );
  return {
    view,
    entities: entities.map((entity, i) => {
      const field = `entities[${i}]`;
      if (entity.values.length === 0) throw new InvalidArgumentError(`${field}.values`, "must name at least one feature");
      if (entity.timeMs !== undefined && !Number.isFinite(entity.timeMs)) throw new InvalidArgumentError(`${field}.event_time`, "is not a valid time");
      const seen = new Set<string>();
      const values = entity.values.map((v, j) => {
        const written = validateValue(registry, view, v, `${field}.values[${j}]`);
        if (seen.has(written.feature)) throw new InvalidArgumentError(`${field}.values[${j}].name`, `feature "${written.feature}" is written twice`);
        seen.add(written.feature);
        return written;
      });
      return { entityId: entity.entityId, timeMs: entity.timeMs ?? options.nowMs, values };
    }),
  };
}

function validateValue(registry: FeatureRegistry, view: FeatureView, v: WriteInputValue, field: string): WrittenValue {
  const colon = v.name.indexOf(":");
  if (colon >= 0 && v.name.slice(0, colon) !== view.name) {
    throw new InvalidArgumentError(`${field}.name`, `"${v.name}" is not a feature of the written view "${view.name}"`);
  }
  const feature = registry.feature(view, colon >= 0 ? v.name.slice(colon + 1) : v.name, `${field}.name`);
  if (feature.readTime && feature.readTime.kind !== "decay") {
    throw new InvalidArgumentError(`${field}.name`, `${feature.qualifiedName} is computed at read time and cannot be written`);
  }
  const problem = typeProblem(feature, v);
  if (problem) throw new InvalidArgumentError(`${field}.value`, `${feature.qualifiedName} ${problem}`);
  if (!v.numbers.every(Number.isFinite)) throw new InvalidArgumentError(`${field}.value`, `${feature.qualifiedName} must be finite`);
  return { feature: feature.name, values: v.numbers };
}

function typeProblem(feature: Feature, v: WriteInputValue): string | undefined {
  switch (feature.type) {
    case "vector":
      if (v.kind !== "vector") return `is a vector of ${feature.dimension} floats, got ${v.kind}`;
      return v.numbers.length === feature.dimension ? undefined : `has dimension ${feature.dimension}, got ${v.numbers.length} values`;
    case "float":
      return v.kind === "float" || v.kind === "int" ? undefined : `is a float, got ${v.kind}`;
    case "int":
      if (v.kind === "int") return undefined;
      return v.kind === "float" && Number.isInteger(v.numbers[0]) ? undefined : `is an int, got ${v.kind}`;
    case "bool":
      return v.kind === "bool" ? undefined : `is a bool, got ${v.kind}`;
  }
}
