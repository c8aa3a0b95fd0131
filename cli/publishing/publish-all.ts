import type { EventPublisher } from "../../services/kit/events/event-publisher.js";
import type { ProtoCodec } from "../../services/kit/events/proto-codec.js";
import type { ProgressBar } from "./progress.js";
import { PublishWindow, type PublishTally } from "./publish-window.js";

export interface OutgoingEvent<T> {
  subject: string;
  message: T;
  msgId: string;
}

/**
 * Sends events through the window, waiting only when it is full. Consecutive
 * sends stay synchronous so they share socket writes.
 */
export async function sendAll<T>(window: PublishWindow, codec: ProtoCodec<T>, events: Iterable<OutgoingEvent<T>>): Promise<void> {
  for (const e of events) {
    if (!window.hasRoom) await window.waitForRoom();
    window.send(e.subject, codec, e.message, e.msgId);
  }
}

/** Publishes every event of `events` through a bounded window, ticking `bar` per ack. */
export async function publishAll<T>(
  publisher: EventPublisher,
  stream: string,
  codec: ProtoCodec<T>,
  events: Iterable<OutgoingEvent<T>>,
  options: { window?: number; bar: ProgressBar },
): Promise<PublishTally> {
  const window = new PublishWindow(publisher, stream, { limit: options.window, onAck: () => options.bar.increment() });
  await sendAll(window, codec, events);
  return window.flush();
}
