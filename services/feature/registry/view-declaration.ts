/** What a feature view describes. */
export type EntityKind = "user" | "item";

/** Value type of a feature; every type is stored as float32 columns of the packed row. */
export type FeatureKind = "float" | "int" | "bool" | "vector";

/**
 * How a stored column becomes the served value. Stored rows are written as of
 * the row's event time (the newest event that touched it); anything that
 * depends on "now" is computed when the row is read, so a stored row never
 * needs rewriting just because time passed and replay reproduces it bit for bit.
 */
export type ReadTime =
  /** A time-decayed sum stored as of the row's event time, decayed to the read time. */
  | { kind: "decay"; halfLifeHours: number }
  /** Hours from the row's event time to the read time (recency). */
  | { kind: "age_hours" }
  /** (numerator + prior * strength) / (denominator + strength), from read-time values of two columns. */
  | { kind: "smoothed_ratio"; numerator: string; denominator: string; prior: number; strength: number };

export interface FeatureDeclaration {
  name: string;
  type: FeatureKind;
  /** Columns of a vector feature; 1 otherwise. */
  dimension?: number;
  /** Served when the entity has nothing stored; every component of a vector. Booleans are 0 or 1. */
  default: number;
  description: string;
  readTime?: ReadTime;
}

/** A hidden float64 accumulator kept in the stored row's header, never served (e.g. a running weight). */
export interface StateDeclaration {
  name: string;
  /** Decays like a "decay" column when the row moves forward in time. */
  halfLifeHours?: number;
  description: string;
}

export interface ViewDeclaration {
  name: string;
  entity: EntityKind;
  /** Bump whenever columns change: stored keys and served blocks carry it. */
  version: number;
  description: string;
  /** Rows whose event time is older than this are served STALE; 0 never. */
  maxAgeHours: number;
  /** Stored rows expire this long after their last write; 0 never. */
  ttlDays: number;
  features: FeatureDeclaration[];
  state?: StateDeclaration[];
}
