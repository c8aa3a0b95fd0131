import type { InteractionKind } from "../../kit/events/interaction-kinds.js";

export { INTERACTION_KINDS } from "../../kit/events/interaction-kinds.js";
export type { InteractionKind };

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
