import type { JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { injectIntoHeaders } from "../telemetry/tracing.js";
import type { ProtoCodec } from "./proto-codec.js";

export interface PublishOptions {
  /** Nats-Msg-Id: a retried publish with the same id is stored once. */
  msgId: string;
  /** Fail unless the subject belongs to this stream. */
  stream?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface Published {
  sequence: number;
  /** The stream already held this message id: nothing new was stored. */
  duplicate: boolean;
}

/**
 * Publishes protobuf events to JetStream and resolves once the stream has stored
 * them. Every message carries a Nats-Msg-Id and the active trace context.
 */
export class EventPublisher {
  constructor(private readonly js: JetStreamClient) {}

  async publish<T>(subject: string, codec: ProtoCodec<T>, message: T, options: PublishOptions): Promise<Published> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(options.headers ?? {})) h.set(k, v);
    injectIntoHeaders(h);
    const ack = await this.js.publish(subject, codec.encode(message).finish(), {
      msgID: options.msgId,
      headers: h,
      timeout: options.timeoutMs ?? 5_000,
      ...(options.stream ? { expect: { streamName: options.stream } } : {}),
    });
    return { sequence: ack.seq, duplicate: ack.duplicate };
  }
}
