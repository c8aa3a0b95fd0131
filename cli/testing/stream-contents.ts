import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { EVENTS_STREAM, SUBJECTS } from "../../services/kit/events/subjects.js";

export interface StoredEvent {
  subject: string;
  msgId: string;
  data: Uint8Array;
}

/** Messages per subject in EVENTS. */
export async function subjectCounts(nc: NatsConnection): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(EVENTS_STREAM, { subjects_filter: SUBJECTS.allEvents });
  return info.state.subjects ?? {};
}

/** Every message of EVENTS, in stream order (an ordered consumer; bounded by a deadline). */
export async function readEvents(nc: NatsConnection, timeoutMs = 30_000): Promise<StoredEvent[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(EVENTS_STREAM)).state.messages;
  const out: StoredEvent[] = [];
  if (total === 0) return out;
  const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM);
  const deadline = Date.now() + timeoutMs;
  while (out.length < total) {
    if (Date.now() > deadline) throw new Error(`read ${out.length} of ${total} events before the deadline`);
    const batch = await consumer.fetch({ max_messages: Math.min(5_000, total - out.length), expires: 2_000 });
    for await (const m of batch) out.push({ subject: m.subject, msgId: m.headers?.get("Nats-Msg-Id") ?? "", data: m.data });
  }
  return out;
}
