import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../../gen/recmesh/events/v1/item_upserted_event.js";
import { PoisonEventError } from "../../kit/events/event-errors.js";
import { interactionKindOf } from "../../kit/events/interaction-kinds.js";
import type { ProtoCodec } from "../../kit/events/proto-codec.js";
import { SUBJECTS } from "../../kit/events/subjects.js";
import type { IndexEvent, InteractionKind } from "../index/index-events.js";

const INTERACTION_PREFIX = SUBJECTS.allInteractions.replace("*", "");

/**
 * Stream message → index event; undefined for subjects the index does not
 * use. An event that can never be applied throws PoisonEventError (dead-lettered).
 * Times come from the event (else its publish time), so replays agree.
 */
export function decodeIndexEvent(subject: string, data: Uint8Array, publishedAtMs: number, dimension: number): IndexEvent | undefined {
  if (subject === SUBJECTS.itemUpserted) {
    const item = decode(ItemUpsertedEvent, subject, data).item;
    if (!item?.itemId) throw new PoisonEventError("item upsert without item.item_id");
    const dims = item.embedding.length;
    if (dims !== 0 && dims !== dimension) throw new PoisonEventError(`item ${item.itemId} has a ${dims}-dimensional embedding; the index has ${dimension}`);
    if (!item.embedding.every(Number.isFinite)) throw new PoisonEventError(`item ${item.itemId} has a non-finite embedding value`);
    return {
      kind: "item",
      itemId: item.itemId,
      category: item.category,
      available: item.available,
      embedding: dims === 0 ? undefined : Float32Array.from(item.embedding),
    };
  }
  if (subject.startsWith(INTERACTION_PREFIX)) {
    const event = decode(InteractionEvent, subject, data);
    const i = event.interaction;
    if (!i?.userId || !i.itemId) throw new PoisonEventError(`interaction ${event.eventId} lacks a user_id or item_id`);
    const kind = interactionKindOf(i.type);
    if (!kind) throw new PoisonEventError(`interaction ${event.eventId} has no known type (${String(i.type)})`);
    const timeMs = i.occurredAt?.getTime() ?? event.receivedAt?.getTime() ?? publishedAtMs;
    return { kind: "interaction", userId: i.userId, itemId: i.itemId, interaction: kind, timeMs };
  }
  return undefined;
}

function decode<T>(codec: ProtoCodec<T>, subject: string, data: Uint8Array): T {
  try {
    return codec.decode(data);
  } catch (err) {
    throw new PoisonEventError(`undecodable ${subject} event: ${err instanceof Error ? err.message : String(err)}`);
  }
}
