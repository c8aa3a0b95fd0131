/** What a user did with an item, as the candidate index distinguishes it. */
export const INTERACTION_KINDS = ["view", "click", "add_to_cart", "purchase", "rating", "dismiss"] as const;

export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/** A catalog entry was created or changed. */
export interface ItemChange {
  kind: "item";
  itemId: string;
  category: string;
  available: boolean;
  /** Content embedding; undefined keeps the one the item had. */
  embedding: Float32Array | undefined;
}

/** A user interacted with an item at `timeMs` (event time, so a replay computes the same state). */
export interface InteractionHappened {
  kind: "interaction";
  userId: string;
  itemId: string;
  interaction: InteractionKind;
  timeMs: number;
}

export type IndexEvent = ItemChange | InteractionHappened;
