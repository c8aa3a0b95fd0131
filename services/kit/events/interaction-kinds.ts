import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";

/** The interaction types by the names domain code uses (and subjects end with). */
export const INTERACTION_KINDS = ["view", "click", "add_to_cart", "purchase", "rating", "dismiss"] as const;

export type InteractionKind = (typeof INTERACTION_KINDS)[number];

const KIND_BY_TYPE: Partial<Record<InteractionType, InteractionKind>> = {
  [InteractionType.INTERACTION_TYPE_VIEW]: "view",
  [InteractionType.INTERACTION_TYPE_CLICK]: "click",
  [InteractionType.INTERACTION_TYPE_ADD_TO_CART]: "add_to_cart",
  [InteractionType.INTERACTION_TYPE_PURCHASE]: "purchase",
  [InteractionType.INTERACTION_TYPE_RATING]: "rating",
  [InteractionType.INTERACTION_TYPE_DISMISS]: "dismiss",
};

const TYPE_BY_KIND = Object.fromEntries(Object.entries(KIND_BY_TYPE).map(([t, k]) => [k, Number(t)])) as Record<InteractionKind, InteractionType>;

/** The kind of a proto interaction type; undefined for UNSPECIFIED or an unknown number. */
export function interactionKindOf(type: InteractionType): InteractionKind | undefined {
  return KIND_BY_TYPE[type];
}

export function interactionTypeOf(kind: InteractionKind): InteractionType {
  return TYPE_BY_KIND[kind];
}
