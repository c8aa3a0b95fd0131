import { DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { EVENTS_STREAM } from "../../../services/kit/events/subjects.js";

/** Runs `fn` with a short-lived NATS connection. */
export async function withNats<T>(url: string, fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: url, name: "recmesh-reliability" });
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

/** The last sequence of a stream now: a scenario reads only what came after it. */
export async function lastSequence(nc: NatsConnection, stream = EVENTS_STREAM): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(stream)).state.last_seq;
}

/**
 * Every message of `stream` on `subject` (wildcards allowed) after sequence
 * `afterSeq`, in order, through an ordered consumer; bounded by `timeoutMs`.
 */
export async function readSubject(
  nc: NatsConnection,
  subject: string,
  afterSeq: number,
  onMessage: (m: JsMsg) => void,
  options: { stream?: string; timeoutMs?: number } = {},
): Promise<number> {
  const consumer = await jetstream(nc).consumers.get(options.stream ?? EVENTS_STREAM, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: afterSeq + 1,
  });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let read = 0;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`reading ${subject}: ${read} messages before the deadline, more pending`);
    const batch = await consumer.fetch({ max_messages: 2_000, expires: 1_000 });
    let got = 0;
    let pending = 0;
    for await (const m of batch) {
      got++;
      read++;
      pending = m.info.pending;
      onMessage(m);
    }
    if (got === 0 || pending === 0) return read;
  }
}
