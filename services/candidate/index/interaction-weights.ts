import type { InteractionKind } from "./index-events.js";

/** Popularity weight of each interaction kind (0: does not count). */
export type InteractionWeights = Readonly<Record<InteractionKind, number>>;

/** Deeper in the funnel weighs more; a dismissal adds nothing. */
export const DEFAULT_INTERACTION_WEIGHTS: InteractionWeights = {
  view: 1,
  click: 3,
  add_to_cart: 6,
  purchase: 10,
  rating: 4,
  dismiss: 0,
};

/** Kinds that say the user went on to the item (a dismissal is no visit). */
export function isVisit(kind: InteractionKind): boolean {
  return kind !== "dismiss";
}
