import type { FeatureQueries } from "../../../services/feature/domain/feature-queries.js";
import type { RowBlock } from "../../../services/feature/domain/feature-reader.js";
import type { ItemFeatureSource } from "../../../services/ranking/ranker.js";
import type { FeatureRows } from "../../../services/ranking/scoring/feature-rows.js";
import type { UserFeaturePort, UserFeatures } from "../../../services/recommender/pipeline/ports.js";

/** A feature service block as the ranking service's rows: the same typed arrays, no bytes on a wire. */
export function rowsOf(block: RowBlock): FeatureRows {
  return {
    view: block.view.name,
    viewVersion: block.view.version,
    width: block.view.width,
    rows: block.entityIds.length,
    values: block.values,
    statuses: block.statuses,
  };
}

/** Whole rows of several views for the same entities, one StreamFeatures-style lookup per view, in this process. */
async function lookup(queries: FeatureQueries, views: readonly string[], entityIds: string[]): Promise<Map<string, FeatureRows>> {
  const blocks = await Promise.all(views.map((view) => queries.rows(view, entityIds)));
  return new Map(blocks.map((b) => [b.view.name, rowsOf(b)]));
}

/**
 * The recommender's user-feature port answered by the feature service's query
 * layer in this process. The payload is the rows ranking takes (the service
 * passes the same rows as FeatureBlocks).
 */
export class InProcessUserFeatures implements UserFeaturePort {
  constructor(
    private readonly queries: FeatureQueries,
    private readonly views: readonly string[],
  ) {}

  async fetch(userId: string): Promise<UserFeatures> {
    const rows = await lookup(this.queries, this.views, [userId]);
    return { views: [...rows.keys()], payload: rows };
  }

  defaults(): UserFeatures {
    return { views: [], payload: new Map<string, FeatureRows>() };
  }
}

/** Ranking's item hydration answered by the feature service's query layer in this process. */
export class InProcessItemFeatures implements ItemFeatureSource {
  constructor(private readonly queries: FeatureQueries) {}

  fetch(views: string[], itemIds: string[]): Promise<Map<string, FeatureRows>> {
    return lookup(this.queries, views, itemIds);
  }
}
