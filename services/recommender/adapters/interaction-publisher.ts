import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import type { EventPublisher, Published } from "../../kit/events/event-publisher.js";
import { interactionTypeOf } from "../../kit/events/interaction-kinds.js";
import { EVENTS_STREAM, interactionSubject } from "../../kit/events/subjects.js";
import type { Interaction } from "../tracking/interaction.js";

/** Stores interactions in JetStream; resolves once the stream has them (the event id is the Nats-Msg-Id). */
export class InteractionPublisher {
  constructor(private readonly publisher: EventPublisher) {}

  publish(i: Interaction): Promise<Published> {
    const type = interactionTypeOf(i.kind);
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
