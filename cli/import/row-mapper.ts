import { derivedEmbedding } from "../../world/index.js";
import type { ColumnPlan, ColumnRef, InteractionField, ItemField } from "./column-mapping.js";
import { FieldError, parseEmbedding, parseId, parseNumber, parseTags, parseTimestamp, parseType, text, type ImportedInteractionType } from "./field-parsers.js";
import type { BadRow } from "./import-errors.js";
import type { SourceRecord } from "./record-source.js";

/** Category of an imported item with neither a category nor a tag. */
export const UNCATEGORIZED = "uncategorized";

export interface ImportedItem {
  itemId: string;
  category: string;
  tags: string[];
  attributes: Record<string, string>;
  embedding: number[];
}

export interface ImportedInteraction {
  userId: string;
  itemId: string;
  type: ImportedInteractionType;
  /** Epoch milliseconds. */
  occurredAt: number;
  value: number;
  attributes: Record<string, string>;
}

class RowReader {
  constructor(
    private readonly file: string,
    private readonly record: SourceRecord,
  ) {}

  /** Applies `parse` to the value of `column`; a FieldError becomes a BadRow naming file, line, column and value. */
  field<T>(column: ColumnRef, parse: (raw: unknown) => T): T {
    const raw = this.record.values.get(column.name);
    try {
      return parse(raw);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      throw new BadRowError({ file: this.file, line: this.record.line, column, value: text(raw), reason: err.message });
    }
  }

  /** Non-empty values of the columns no field uses. */
  attributes(extra: readonly ColumnRef[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of extra) {
      const value = text(this.record.values.get(c.name));
      if (value !== "") out[c.name] = value;
    }
    return out;
  }
}

class BadRowError extends Error {
  constructor(readonly bad: BadRow) {
    super(bad.reason);
  }
}

function catchBadRow<T>(build: () => T): T | BadRow {
  try {
    return build();
  } catch (err) {
    if (err instanceof BadRowError) return err.bad;
    throw err;
  }
}

/**
 * An item row: category from its column, else the first tag, else
 * "uncategorized"; the embedding from its column, else derived from category and tags.
 */
export function mapItemRow(file: string, record: SourceRecord, plan: ColumnPlan<ItemField>, tagSeparator: string): ImportedItem | BadRow {
  return catchBadRow(() => {
    const row = new RowReader(file, record);
    const { fields } = plan;
    const itemId = row.field(fields.item_id ?? { name: "item_id" }, parseId);
    const tags = fields.tags ? row.field(fields.tags, (raw) => parseTags(raw, tagSeparator)) : [];
    const category = (fields.category ? row.field(fields.category, text) : "") || tags[0] || UNCATEGORIZED;
    const embedding = fields.embedding && text(record.values.get(fields.embedding.name)) !== ""
      ? row.field(fields.embedding, parseEmbedding)
      : derivedEmbedding(itemId, category, tags);
    return { itemId, category, tags, attributes: row.attributes(plan.extra), embedding };
  });
}

/** An interaction row; without a type column every row has `defaultType`. */
export function mapInteractionRow(
  file: string,
  record: SourceRecord,
  plan: ColumnPlan<InteractionField>,
  defaultType: ImportedInteractionType,
): ImportedInteraction | BadRow {
  return catchBadRow(() => {
    const row = new RowReader(file, record);
    const { fields } = plan;
    const userId = row.field(fields.user_id ?? { name: "user_id" }, parseId);
    const itemId = row.field(fields.item_id ?? { name: "item_id" }, parseId);
    const occurredAt = row.field(fields.timestamp ?? { name: "timestamp" }, parseTimestamp);
    const type = fields.type ? row.field(fields.type, parseType) : defaultType;
    const value = fields.value && (type === "rating" || text(record.values.get(fields.value.name)) !== "") ? row.field(fields.value, parseNumber) : 0;
    return { userId, itemId, type, occurredAt, value, attributes: row.attributes(plan.extra) };
  });
}

export function isBadRow(value: object): value is BadRow {
  return "reason" in value && "file" in value;
}
