import {
  EntityType,
  FeatureStatus,
  type EntityFeatureValues,
  type FeatureBlock,
  type FeatureValue,
} from "../../../gen/recmesh/common/v1/features.js";
import { FeatureType, type FeatureView as ProtoFeatureView } from "../../../gen/recmesh/feature/v1/feature_service.js";
import type { Duration } from "../../../gen/google/protobuf/duration.js";
import type { WrittenEntity } from "../domain/feature-events.js";
import type { EntityValues } from "../domain/feature-queries.js";
import { ROW_STATUS, type RowBlock } from "../domain/feature-reader.js";
import type { WriteInputEntity, WriteInputValue } from "../domain/write-validation.js";
import type { Feature, FeatureView } from "../registry/feature-registry.js";
import type { FeatureKind } from "../registry/view-declaration.js";

const FEATURE_TYPES: Record<FeatureKind, FeatureType> = {
  float: FeatureType.FEATURE_TYPE_FLOAT,
  int: FeatureType.FEATURE_TYPE_INT,
  bool: FeatureType.FEATURE_TYPE_BOOL,
  vector: FeatureType.FEATURE_TYPE_VECTOR,
};

/** Blocks carry row statuses as raw FeatureStatus numbers: the domain's numbering must be the proto's. */
export const STATUS_NUMBERS_MATCH =
  ROW_STATUS.present === FeatureStatus.FEATURE_STATUS_PRESENT &&
  ROW_STATUS.missing === FeatureStatus.FEATURE_STATUS_MISSING &&
  ROW_STATUS.stale === FeatureStatus.FEATURE_STATUS_STALE;

function duration(ms: number): Duration {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

export function featureValue(feature: Pick<Feature, "type">, value: number | number[]): FeatureValue {
  if (Array.isArray(value)) return { kind: { $case: "vectorValue", value: { values: value } } };
  switch (feature.type) {
    case "int":
      return { kind: { $case: "intValue", value: String(Math.round(value)) } };
    case "bool":
      return { kind: { $case: "boolValue", value: value !== 0 } };
    default:
      return { kind: { $case: "floatValue", value } };
  }
}

export function viewToProto(view: FeatureView): ProtoFeatureView {
  return {
    name: view.name,
    entityType: view.entity === "user" ? EntityType.ENTITY_TYPE_USER : EntityType.ENTITY_TYPE_ITEM,
    version: view.version,
    description: view.description,
    width: view.width,
    maxAge: duration(view.maxAgeMs),
    ttl: duration(view.ttlMs),
    features: view.features.map((f) => ({
      name: f.name,
      type: FEATURE_TYPES[f.type],
      defaultValue: featureValue(f, f.type === "vector" ? new Array<number>(f.dimension).fill(f.default) : f.default),
      description: f.readTime?.kind === "age_hours" || f.readTime?.kind === "smoothed_ratio" ? `${f.description} (computed at read time)` : f.description,
      dimension: f.dimension,
      offset: f.offset,
    })),
  };
}

export function entityValuesToProto(entity: EntityValues): EntityFeatureValues {
  return {
    entityId: entity.entityId,
    eventTime: entity.eventTimeMs === undefined ? undefined : new Date(entity.eventTimeMs),
    values: entity.values.map((v) => ({ name: v.feature.qualifiedName, value: featureValue(v.feature, v.value), status: v.status })),
  };
}

/**
 * The packed block as StreamFeatures answers it, without copying the floats
 * again: its rows follow the lookup's entity ids, so the ids are not echoed
 * (500 ids cost about a third of a 500-item answer's serialization and decoding).
 */
export function blockToProto(rows: RowBlock): FeatureBlock {
  return {
    view: rows.view.name,
    viewVersion: rows.view.version,
    width: rows.view.width,
    entityIds: [],
    values: Buffer.from(rows.values.buffer, rows.values.byteOffset, rows.values.byteLength),
    statuses: Buffer.from(rows.statuses.buffer, rows.statuses.byteOffset, rows.statuses.byteLength),
  };
}

function writeInputValue(name: string, value: FeatureValue | undefined): WriteInputValue {
  const kind = value?.kind;
  switch (kind?.$case) {
    case "floatValue":
      return { name, kind: "float", numbers: [kind.value] };
    case "intValue":
      return { name, kind: "int", numbers: [Number(kind.value)] };
    case "boolValue":
      return { name, kind: "bool", numbers: [kind.value ? 1 : 0] };
    case "vectorValue":
      return { name, kind: "vector", numbers: kind.value.values };
    default:
      return { name, kind: "none", numbers: [] };
  }
}

export function writeInputFromProto(entities: EntityFeatureValues[]): WriteInputEntity[] {
  return entities.map((e) => ({
    entityId: e.entityId,
    timeMs: e.eventTime?.getTime(),
    values: e.values.map((v) => writeInputValue(v.name, v.value)),
  }));
}

/** Validated writes as the features-updated event carries them: qualified names, explicit event times. */
export function writtenToProto(view: FeatureView, entities: WrittenEntity[]): EntityFeatureValues[] {
  return entities.map((e) => ({
    entityId: e.entityId,
    eventTime: new Date(e.timeMs),
    values: e.values.map((v) => {
      const feature = view.features.find((f) => f.name === v.feature);
      const type = feature?.type ?? "float";
      return {
        name: `${view.name}:${v.feature}`,
        value: featureValue({ type }, type === "vector" ? v.values : (v.values[0] ?? 0)),
        status: FeatureStatus.FEATURE_STATUS_PRESENT,
      };
    }),
  }));
}
