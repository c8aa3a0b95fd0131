import type { Proportion } from "../statistics/proportions.js";

/** A user was shown items under a randomised assignment. */
export interface ExposureRecord {
  experiment: string;
  variant: string;
  userId: string;
  atMs: number;
}

/** A user interacted; `type` is an interaction type name such as "CLICK". */
export interface InteractionRecord {
  userId: string;
  type: string;
  atMs: number;
}

/**
 * The analysis state, a projection of the event stream. Per experiment and
 * variant: the users exposed (counted in the variant of their first exposure)
 * and the users who converted, i.e. had an interaction of the experiment's
 * conversion type at or after their first exposure, whichever of the two
 * events is processed first. Every operation is idempotent: applying an event
 * again changes nothing.
 */
export interface ResultsStore {
  recordExposure(exposure: ExposureRecord, conversionEvent: string): Promise<void>;
  recordInteraction(interaction: InteractionRecord, conversionEventOf: (experiment: string) => string): Promise<void>;
  /** Exposed and converted users per variant. */
  counts(experiment: string, variants: readonly string[]): Promise<Map<string, Proportion>>;
  /** True when the store answers. */
  ready(): Promise<boolean>;
}
