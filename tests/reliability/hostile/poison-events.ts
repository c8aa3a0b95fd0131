import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { DLQ_STREAM, deadLetterSubject, interactionSubject } from "../../../services/kit/events/subjects.js";
import { readSubject } from "../harness/stream-reader.js";

export interface PoisonSequences {
  /** Bytes no protobuf decoder accepts. */
  undecodable: number;
  /** A well-formed InteractionEvent no consumer can apply (no user id). */
  invalid: number;
  /** A good event after them: consumers must reach it (no loop on the poison). */
  valid: number;
}

function interaction(eventId: string, userId: string): Uint8Array {
  return InteractionEvent.encode(
    InteractionEvent.fromPartial({
      eventId,
      interaction: { eventId, userId, itemId: `item-${eventId}`, type: InteractionType.INTERACTION_TYPE_CLICK, occurredAt: new Date() },
      receivedAt: new Date(),
    }),
  ).finish();
}

/** Publishes two poisoned events and one good one on an interaction subject of EVENTS. */
export async function publishPoison(nc: NatsConnection, tag: string): Promise<PoisonSequences> {
  const js = jetstream(nc);
  const subject = interactionSubject(InteractionType.INTERACTION_TYPE_CLICK);
  const undecodable = await js.publish(subject, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a, 0xff), { msgID: `poison-bytes-${tag}` });
  const invalid = await js.publish(subject, interaction(`poison-invalid-${tag}`, ""), { msgID: `poison-invalid-${tag}` });
  const valid = await js.publish(subject, interaction(`after-poison-${tag}`, `user-${tag}`), { msgID: `after-poison-${tag}` });
  return { undecodable: undecodable.seq, invalid: invalid.seq, valid: valid.seq };
}

export interface DeadLetter {
  originalSequence: number;
  deliveries: number;
  reason: string;
}

/** The dead letters a consumer wrote (recmesh.dlq.<durable> in stream DLQ). */
export async function deadLetters(nc: NatsConnection, durable: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await readSubject(
    nc,
    deadLetterSubject(durable),
    0,
    (m) =>
      letters.push({
        originalSequence: Number(m.headers?.get("Recmesh-Original-Sequence")),
        deliveries: Number(m.headers?.get("Recmesh-Deliveries")),
        reason: m.headers?.get("Recmesh-Dlq-Reason") ?? "",
      }),
    { stream: DLQ_STREAM },
  );
  return letters;
}
