import type { FeatureRegistry, FeatureView } from "../registry/feature-registry.js";
import { categoryBucket } from "./category-hash.js";
import type { ItemUpserted } from "./feature-events.js";
import { emptyRow, type StoredRow } from "./stored-row.js";

/** How an item upsert sets item_content: the catalog's latest word replaces the row. */
export class ItemRules {
  readonly contentView: FeatureView;
  private readonly embedding: { offset: number; dimension: number };
  private readonly category: { offset: number; dimension: number };

  constructor(registry: FeatureRegistry) {
    const view = registry.find("item_content");
    const embedding = view?.features.find((f) => f.name === "embedding");
    const category = view?.features.find((f) => f.name === "category_hash");
    if (!view || !embedding || !category) throw new Error("the item rules need item_content:embedding and item_content:category_hash");
    this.contentView = view;
    this.embedding = embedding;
    this.category = category;
  }

  get embeddingDimension(): number {
    return this.embedding.dimension;
  }

  itemContent(ev: ItemUpserted): StoredRow {
    const row = emptyRow(this.contentView, ev.timeMs);
    if (ev.embedding) row.values.set(ev.embedding, this.embedding.offset);
    const bucket = categoryBucket(ev.category, this.category.dimension);
    if (bucket !== undefined) row.values[this.category.offset + bucket] = 1;
    row.sequence = ev.sequence;
    return row;
  }
}
