import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import type { WorldInteraction, WorldInteractionType, WorldItem } from "../../world/index.js";

const TYPES: Record<WorldInteractionType, InteractionType> = {
  view: InteractionType.INTERACTION_TYPE_VIEW,
  click: InteractionType.INTERACTION_TYPE_CLICK,
  add_to_cart: InteractionType.INTERACTION_TYPE_ADD_TO_CART,
  purchase: InteractionType.INTERACTION_TYPE_PURCHASE,
};

export function worldInteractionType(type: WorldInteractionType): InteractionType {
  return TYPES[type];
}

/** Nats-Msg-Id and event id of a world item's upsert: stable per seed and item. */
export function worldItemEventId(seed: number, itemId: string): string {
  return `world-${seed}-item-${itemId}`;
}

/** The catalog entry as it was created (the event carries the item's historical creation time). */
export function worldItemEvent(seed: number, item: WorldItem): ItemUpsertedEvent {
  const createdAt = new Date(item.createdAt);
  return ItemUpsertedEvent.fromPartial({
    eventId: worldItemEventId(seed, item.id),
    occurredAt: createdAt,
    item: {
      itemId: item.id,
      category: item.category,
      tags: item.tags,
      attributes: { brand: item.brand, price_band: item.priceBand, price: item.price.toFixed(2) },
      embedding: item.embedding,
      createdAt,
      available: true,
    },
  });
}

/** A historical interaction, as if tracked when it happened (received = occurred). */
export function worldInteractionEvent(interaction: WorldInteraction): InteractionEvent {
  const at = new Date(interaction.occurredAt);
  return InteractionEvent.fromPartial({
    eventId: interaction.eventId,
    receivedAt: at,
    interaction: {
      eventId: interaction.eventId,
      userId: interaction.userId,
      itemId: interaction.itemId,
      type: TYPES[interaction.type],
      occurredAt: at,
      surface: interaction.surface,
      value: interaction.value,
      attributes: { session: interaction.session, source: "world" },
    },
  });
}
