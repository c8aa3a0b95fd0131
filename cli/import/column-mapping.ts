import { ImportSetupError } from "./import-errors.js";

export type FileKind = "items" | "interactions";

interface FieldSpec {
  required: boolean;
  /** Column names tried in order (case-insensitive) when --map does not name one. */
  defaults: readonly string[];
}

/** The fields each file provides and the columns they are looked up in by default (MovieLens names included). */
export const FIELDS = {
  items: {
    item_id: { required: true, defaults: ["item_id", "itemId", "movieId", "movie_id", "product_id", "productId", "sku", "id"] },
    category: { required: false, defaults: ["category", "category_name"] },
    tags: { required: false, defaults: ["tags", "genres", "labels"] },
    embedding: { required: false, defaults: ["embedding"] },
  },
  interactions: {
    user_id: { required: true, defaults: ["user_id", "userId", "customer_id", "visitorid", "user"] },
    item_id: { required: true, defaults: ["item_id", "itemId", "movieId", "movie_id", "product_id", "productId", "sku", "item"] },
    timestamp: { required: true, defaults: ["timestamp", "time", "ts", "occurred_at", "event_time", "date"] },
    type: { required: false, defaults: ["type", "event", "event_type", "action"] },
    value: { required: false, defaults: ["value", "rating", "score", "amount"] },
  },
} as const satisfies Record<FileKind, Record<string, FieldSpec>>;

export type ItemField = keyof typeof FIELDS.items;
export type InteractionField = keyof typeof FIELDS.interactions;

/** Columns named by --map, per file. */
export type ColumnOverrides = Record<FileKind, Map<string, string>>;

/**
 * Parses --map values: `field=column` applies to every file with that field,
 * `items.field=column` / `interactions.field=column` to one file.
 */
export function parseColumnOverrides(specs: readonly string[]): ColumnOverrides {
  const out: ColumnOverrides = { items: new Map(), interactions: new Map() };
  for (const spec of specs) {
    const match = /^(?:(items|interactions)\.)?([a-z_]+)=(.+)$/.exec(spec.trim());
    if (!match) throw new ImportSetupError(`--map ${JSON.stringify(spec)}: expected field=column, items.field=column or interactions.field=column`);
    const [, scope, field = "", column = ""] = match;
    const kinds = (scope ? [scope] : ["items", "interactions"]) as FileKind[];
    const applicable = kinds.filter((kind) => field in FIELDS[kind]);
    if (applicable.length === 0) {
      const known = kinds.map((kind) => `${kind}: ${Object.keys(FIELDS[kind]).join(", ")}`).join("; ");
      throw new ImportSetupError(`--map ${JSON.stringify(spec)}: unknown field "${field}" (${known})`);
    }
    for (const kind of applicable) out[kind].set(field, column);
  }
  return out;
}

export interface ColumnRef {
  name: string;
  /** 1-based position in a CSV header; undefined for JSONL. */
  number?: number;
}

export interface ColumnPlan<F extends string> {
  fields: Partial<Record<F, ColumnRef>>;
  /** Columns no field uses: carried along as attributes. */
  extra: ColumnRef[];
}

/** Which column feeds each field of a file, or a setup error naming what is missing and how to map it. */
export function planColumns<K extends FileKind>(
  kind: K,
  file: string,
  header: readonly string[],
  overrides: ColumnOverrides,
  numbered: boolean,
): ColumnPlan<keyof (typeof FIELDS)[K] & string> {
  const ref = (index: number): ColumnRef => ({ name: header[index] ?? "", ...(numbered ? { number: index + 1 } : {}) });
  const lower = header.map((h) => h.toLowerCase());
  const fields: Partial<Record<string, ColumnRef>> = {};
  const used = new Set<number>();
  for (const [field, spec] of Object.entries(FIELDS[kind]) as [string, FieldSpec][]) {
    const wanted = overrides[kind].get(field);
    const index = wanted !== undefined ? header.indexOf(wanted) : spec.defaults.map((d) => lower.indexOf(d.toLowerCase())).find((i) => i >= 0 && !used.has(i)) ?? -1;
    if (wanted !== undefined && index < 0) {
      throw new ImportSetupError(`${file}: --map ${field}=${wanted}: no column "${wanted}" (columns: ${header.join(", ") || "none"})`);
    }
    if (index >= 0) {
      fields[field] = ref(index);
      used.add(index);
    } else if (spec.required) {
      throw new ImportSetupError(
        `${file}: no column for ${field} (looked for ${spec.defaults.join(", ")}; columns: ${header.join(", ") || "none"}); name it with --map ${kind === "items" ? "items." : "interactions."}${field}=<column>`,
      );
    }
  }
  const extra = header.flatMap((_, i) => (used.has(i) ? [] : [ref(i)]));
  return { fields: fields as ColumnPlan<keyof (typeof FIELDS)[K] & string>["fields"], extra };
}
