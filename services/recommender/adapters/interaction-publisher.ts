import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import type { EventPublisher, Published } from "../../kit/events/event-publisher.js";
import { EVENTS_STREAM, interactionSubject } from "../../kit/events/subjects.js";
import type { Interaction, InteractionKind } from "../tracking/interaction.js";

export const KIND_BY_TYPE: Partial<Record<InteractionType, InteractionKind>> = {
  [InteractionType.INTERACTION_TYPE_VIEW]: "view",
  [InteractionType.INTERACTION_TYPE_CLICK]: "click",
  [InteractionType.INTERACTION_TYPE_ADD_TO_CART]: "add_to_cart",
  [InteractionType.INTERACTION_TYPE_PURCHASE]: "purchase",
  [InteractionType.INTERACTION_TYPE_RATING]: "rating",
  [InteractionType.INTERACTION_TYPE_DISMISS]: "dismiss",
};

const TYPE_BY_KIND = Object.fromEntries(Object.entries(KIND_BY_TYPE).map(([t, k]) => [k, Number(t)])) as Record<InteractionKind, InteractionType>;

/** Stores interactions in JetStream; resolves once the stream has them (the event id is the Nats-Msg-Id). */
export class InteractionPublisher {
  constructor(private readonly publisher: EventPublisher) {}

  publish(i: Interaction): Promise<Published> {
    const type = TYPE_BY_KIND[i.kind];
    const event = InteractionEvent.create({
      eventId: i.eventId,
      receivedAt: new Date(),
      interaction: {
        eventId: i.eventId,
        userId: i.userId,
        itemId: i.itemId,
        type,
        occurredAt: i.occurredAt,
        requestId: i.requestId,
        surface: i.surface,
        value: i.value,
        attributes: i.attributes,
      },
    });
    return this.publisher.publish(interactionSubject(type), InteractionEvent, event, { msgId: i.eventId, stream: EVENTS_STREAM });
  }
}
