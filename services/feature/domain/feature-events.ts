/** Interaction types the aggregator counts, named as the event subjects name them. */
import type { InteractionKind } from "../../kit/events/interaction-kinds.js";

export type { InteractionKind };

/** An item was created or changed (ItemUpsertedEvent). */
export interface ItemUpserted {
  kind: "item_upserted";
  sequence: number;
  timeMs: number;
  itemId: string;
  category: string;
  /** Undefined when the event carried no embedding. */
  embedding: Float32Array | undefined;
}

/** A user interacted with an item (InteractionEvent). */
export interface InteractionHappened {
  kind: "interaction";
  sequence: number;
  timeMs: number;
  userId: string;
  itemId: string;
  interaction: InteractionKind;
  /** Rating for ratings, revenue for purchases, dwell seconds for views. */
  value: number;
}

/** Values of one feature: one number for scalars, `dimension` numbers for vectors. */
export interface WrittenValue {
  feature: string;
  values: number[];
}

export interface WrittenEntity {
  entityId: string;
  timeMs: number;
  values: WrittenValue[];
}

/** Features computed elsewhere were written (FeaturesUpdatedEvent); validated against the registry. */
export interface FeaturesWritten {
  kind: "features_written";
  sequence: number;
  view: string;
  entities: WrittenEntity[];
}

/** A stream event the feature projection applies, with its stream sequence (the idempotency key). */
export type FeatureEvent = ItemUpserted | InteractionHappened | FeaturesWritten;
