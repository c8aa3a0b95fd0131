import { EMBEDDING_DIM, type WorldInteractionType } from "../../world/index.js";

/** A value that cannot be used; the message says why (the caller adds where). */
export class FieldError extends Error {
  override name = "FieldError";
}

export type ImportedInteractionType = WorldInteractionType | "rating" | "dismiss";

const MAX_ID_LENGTH = 256;
/** Below this a number is taken as Unix seconds, at or above as milliseconds (1e11 s is the year 5138). */
const SECONDS_LIMIT = 1e11;
/** MovieLens marks a film without genres with this placeholder, which is not a tag. */
const NO_TAGS_PLACEHOLDER = "(no genres listed)";

const TYPE_NAMES: Record<string, ImportedInteractionType> = {
  view: "view",
  click: "click",
  add_to_cart: "add_to_cart",
  addtocart: "add_to_cart",
  cart: "add_to_cart",
  purchase: "purchase",
  buy: "purchase",
  transaction: "purchase",
  rating: "rating",
  rate: "rating",
  dismiss: "dismiss",
};

export const INTERACTION_TYPE_NAMES = Object.keys(TYPE_NAMES);

/** Text of a cell: strings as they are, numbers and booleans as written, everything else refused. */
export function text(raw: unknown): string {
  if (typeof raw === "string") return raw.trim();
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  if (raw === undefined || raw === null) return "";
  return JSON.stringify(raw);
}

export function parseId(raw: unknown): string {
  const id = text(raw);
  if (id === "") throw new FieldError("is empty");
  if (id.length > MAX_ID_LENGTH) throw new FieldError(`is longer than ${MAX_ID_LENGTH} characters`);
  if (/\p{Cc}/u.test(id)) throw new FieldError("contains control characters");
  return id;
}

/** Unix seconds or milliseconds (number or digits), or an ISO-8601 time; epoch milliseconds out. */
export function parseTimestamp(raw: unknown): number {
  const value = text(raw);
  if (value === "") throw new FieldError("is empty (a Unix time or ISO-8601 time is required)");
  const numeric = typeof raw === "number" ? raw : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  const ms = numeric !== undefined ? (Math.abs(numeric) < SECONDS_LIMIT ? numeric * 1000 : numeric) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new FieldError("is not a Unix time (seconds or milliseconds) or an ISO-8601 time");
  if (ms < 0) throw new FieldError("is before 1970");
  return Math.round(ms);
}

export function parseNumber(raw: unknown): number {
  const value = text(raw);
  const n = typeof raw === "number" ? raw : value === "" ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new FieldError("is not a number");
  return n;
}

export function parseType(raw: unknown): ImportedInteractionType {
  const key = text(raw).toLowerCase().replace(/^interaction_type_/, "").replace(/[-\s]/g, "_");
  const type = TYPE_NAMES[key];
  if (!type) throw new FieldError(`is not an interaction type (one of ${INTERACTION_TYPE_NAMES.join(", ")})`);
  return type;
}

/** A JSON array of strings, or text split on `separator`; blanks and MovieLens's "(no genres listed)" dropped. */
export function parseTags(raw: unknown, separator: string): string[] {
  const parts = Array.isArray(raw) ? raw.map(text) : text(raw).split(separator);
  return parts.map((t) => t.trim()).filter((t) => t !== "" && t !== NO_TAGS_PLACEHOLDER);
}

/** 32 finite numbers: a JSON array, or text separated by spaces, commas, semicolons or bars. Scaled to unit length. */
export function parseEmbedding(raw: unknown): number[] {
  const parts = Array.isArray(raw) ? raw : text(raw).replace(/^\[|\]$/g, "").split(/[\s,;|]+/).filter((p) => p !== "");
  const values = parts.map((p) => (typeof p === "number" ? p : Number(p)));
  if (values.length !== EMBEDDING_DIM) throw new FieldError(`has ${values.length} numbers, expected ${EMBEDDING_DIM}`);
  if (!values.every(Number.isFinite)) throw new FieldError("contains a value that is not a number");
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  if (norm === 0) throw new FieldError("is all zeros");
  return values.map((v) => v / norm);
}
