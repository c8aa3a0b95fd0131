import { InvalidArgumentError } from "../../kit/errors/errors.js";
import type { Feature, FeatureRegistry, FeatureView } from "../registry/feature-registry.js";
import { checkEntityIds } from "./entity-ids.js";
import type { FeatureReader, RowBlock } from "./feature-reader.js";

/** Most "view:feature" names one GetFeatures may ask for. */
export const MAX_FEATURE_NAMES = 512;

export interface QueryLimits {
  /** Most entities per GetFeatures call. */
  getMaxEntities: number;
  /** Most entities per StreamFeatures lookup. */
  streamMaxEntities: number;
}

export interface NamedValue {
  feature: Feature;
  /** One number for scalars (ints rounded, bools 0/1), `dimension` numbers for vectors. */
  value: number | number[];
  status: number;
}

export interface EntityValues {
  entityId: string;
  /** Newest event time among the rows read for this entity; undefined when none is stored. */
  eventTimeMs: number | undefined;
  values: NamedValue[];
}

/** The read side of the feature service, validated: GetFeatures' named values and StreamFeatures' blocks. */
export class FeatureQueries {
  constructor(
    private readonly registry: FeatureRegistry,
    private readonly reader: FeatureReader,
    private readonly limits: QueryLimits,
  ) {}

  /** Named values of a few entities, in the order asked, each with its row's status. */
  async namedValues(entityIds: string[], names: string[]): Promise<EntityValues[]> {
    checkEntityIds(entityIds, this.limits.getMaxEntities, "entity_ids");
    if (names.length === 0) throw new InvalidArgumentError("features", 'must name at least one feature as "view:feature"');
    if (names.length > MAX_FEATURE_NAMES) throw new InvalidArgumentError("features", `names ${names.length} features; the limit is ${MAX_FEATURE_NAMES}`);
    const wanted = names.map((name, i) => this.registry.qualified(name, `features[${i}]`));
    const views = [...new Set(wanted.map((w) => w.view))];
    checkOneEntityType(views);
    const blocks = new Map<FeatureView, RowBlock>();
    (await this.reader.blocks(views, entityIds)).forEach((block) => blocks.set(block.view, block));
    return entityIds.map((entityId, row) => {
      let newest = -Infinity;
      for (const block of blocks.values()) {
        const t = block.eventTimesMs[row] ?? NaN;
        if (t > newest) newest = t;
      }
      const values = wanted.map(({ view, feature }) => {
        const block = blocks.get(view) as RowBlock;
        const base = row * view.width + feature.offset;
        return { feature, value: valueOf(feature, block.values, base), status: block.statuses[row] ?? 0 };
      });
      return { entityId, eventTimeMs: Number.isFinite(newest) ? newest : undefined, values };
    });
  }

  /** Whole rows of one view (a StreamFeatures lookup). */
  rows(viewName: string, entityIds: string[]): Promise<RowBlock> {
    const view = this.registry.view(viewName, "view");
    checkEntityIds(entityIds, this.limits.streamMaxEntities, "entity_ids");
    return this.reader.block(view, entityIds);
  }
}

function checkOneEntityType(views: FeatureView[]): void {
  const users = views.filter((v) => v.entity === "user").map((v) => v.name);
  const items = views.filter((v) => v.entity === "item").map((v) => v.name);
  if (users.length > 0 && items.length > 0) {
    throw new InvalidArgumentError("features", `mixes entity types: user views (${users.join(", ")}) and item views (${items.join(", ")}); ask one entity type per call`);
  }
}

function valueOf(feature: Feature, values: Float32Array, base: number): number | number[] {
  if (feature.type === "vector") return Array.from(values.subarray(base, base + feature.dimension));
  const v = values[base] ?? 0;
  if (feature.type === "int") return Math.round(v);
  if (feature.type === "bool") return v !== 0 ? 1 : 0;
  return v;
}
