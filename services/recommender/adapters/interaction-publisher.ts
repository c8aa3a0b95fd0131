import { InvalidArgumentError as NatsInvalidArgumentError } from "@nats-io/transport-node";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { InvalidArgumentError, UnavailableError } from "../../kit/errors/errors.js";
import type { EventPublisher, Published } from "../../kit/events/event-publisher.js";
import { interactionTypeOf } from "../../kit/events/interaction-kinds.js";
import { EVENTS_STREAM, interactionSubject } from "../../kit/events/subjects.js";
import type { Interaction } from "../tracking/interaction.js";

/**
 * Stores interactions in JetStream; resolves once the stream has them (the
 * event id is the Nats-Msg-Id). An event NATS refuses to carry (larger than
 * its max_payload) is the caller's INVALID_ARGUMENT; a store that does not
 * acknowledge (NATS down, publish timed out) is UNAVAILABLE, so the caller
 * retries with the same id; while the connection is known to be down that
 * answer comes at once instead of a publish buffered for after the reconnect.
 */
export class InteractionPublisher {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly linkUp: () => boolean,
  ) {}

  async publish(i: Interaction): Promise<Published> {
    if (!this.linkUp()) throw new UnavailableError(`event store unavailable (NATS disconnected): interaction ${i.eventId} not stored; retry with the same event_id`);
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
    try {
      return await this.publisher.publish(interactionSubject(type), InteractionEvent, event, { msgId: i.eventId, stream: EVENTS_STREAM });
    } catch (err) {
      if (err instanceof NatsInvalidArgumentError) throw new InvalidArgumentError("interaction", `cannot be stored: ${err.message}`);
      throw new UnavailableError(`event store unavailable: interaction ${i.eventId} not stored; retry with the same event_id`, { cause: err });
    }
  }
}
