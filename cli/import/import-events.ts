import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import { SUBJECTS, interactionSubject } from "../../services/kit/events/subjects.js";
import type { OutgoingEvent } from "../publishing/publish-all.js";
import type { ImportedInteractionType } from "./field-parsers.js";
import type { ImportedInteraction, ImportedItem } from "./row-mapper.js";

const TYPES: Record<ImportedInteractionType, InteractionType> = {
  view: InteractionType.INTERACTION_TYPE_VIEW,
  click: InteractionType.INTERACTION_TYPE_CLICK,
  add_to_cart: InteractionType.INTERACTION_TYPE_ADD_TO_CART,
  purchase: InteractionType.INTERACTION_TYPE_PURCHASE,
  rating: InteractionType.INTERACTION_TYPE_RATING,
  dismiss: InteractionType.INTERACTION_TYPE_DISMISS,
};

/** The upsert of an imported item; its id depends only on the source name and item id, so a re-import is de-duplicated. */
export function importedItemEvent(source: string, item: ImportedItem, importedAt: Date): OutgoingEvent<ItemUpsertedEvent> {
  const eventId = `import-${source}-item-${item.itemId}`;
  const message = ItemUpsertedEvent.fromPartial({
    eventId,
    occurredAt: importedAt,
    item: { itemId: item.itemId, category: item.category, tags: item.tags, attributes: item.attributes, embedding: item.embedding, available: true },
  });
  return { subject: SUBJECTS.itemUpserted, message, msgId: eventId };
}

/** An imported interaction; its id is derived from its content (source, user, item, type, time). */
export function importedInteractionEvent(source: string, interaction: ImportedInteraction): OutgoingEvent<InteractionEvent> {
  const type = TYPES[interaction.type];
  const eventId = `import-${source}-${interaction.userId}-${interaction.itemId}-${interaction.type}-${interaction.occurredAt}`;
  const at = new Date(interaction.occurredAt);
  const message = InteractionEvent.fromPartial({
    eventId,
    receivedAt: at,
    interaction: {
      eventId,
      userId: interaction.userId,
      itemId: interaction.itemId,
      type,
      occurredAt: at,
      value: interaction.value,
      surface: "import",
      attributes: interaction.attributes,
    },
  });
  return { subject: interactionSubject(type), message, msgId: eventId };
}
