import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { Kvm, type KV, type KvOptions } from "@nats-io/kv";
import { Objm, type ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { DLQ_STREAM, EVENTS_STREAM, MODELS_STREAM, SUBJECTS } from "./subjects.js";

const NANOS_PER_MS = 1_000_000;
const DAY_MS = 86_400_000;

/** Creates a stream, or updates it to this configuration when it exists. */
export async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(config);
    return;
  }
  await jsm.streams.update(config.name, config);
}

/** Creates a durable consumer, or updates its configuration when it exists. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  try {
    await jsm.consumers.info(stream, config.durable_name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(stream, { ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...config });
    return;
  }
  await jsm.consumers.update(stream, config.durable_name, config);
}

export interface StreamSettings {
  /** Replicas per stream: 1 locally, 3 on a JetStream cluster. */
  replicas: number;
  /** How long events are kept (the replay horizon). */
  eventRetentionDays: number;
}

/** The recmesh streams: EVENTS (source of truth), MODELS and DLQ. Safe to call on every start. */
export async function declareStreams(jsm: JetStreamManager, settings: StreamSettings): Promise<void> {
  const common = { storage: StorageType.File, retention: RetentionPolicy.Limits, num_replicas: settings.replicas };
  await ensureStream(jsm, {
    ...common,
    name: EVENTS_STREAM,
    subjects: [SUBJECTS.allEvents],
    max_age: settings.eventRetentionDays * DAY_MS * NANOS_PER_MS,
    duplicate_window: 2 * 60_000 * NANOS_PER_MS,
  });
  await ensureStream(jsm, { ...common, name: MODELS_STREAM, subjects: [SUBJECTS.allModels], max_msgs_per_subject: 1000 });
  await ensureStream(jsm, { ...common, name: DLQ_STREAM, subjects: [SUBJECTS.allDeadLetters], max_age: 30 * DAY_MS * NANOS_PER_MS });
}

/** Opens a KV bucket, creating it when missing. */
export function ensureKv(nc: NatsConnection, bucket: string, options: Partial<KvOptions> = {}): Promise<KV> {
  return new Kvm(nc).create(bucket, { history: 5, ...options });
}

/** Opens an Object Store bucket, creating it when missing. */
export function ensureObjectStore(nc: NatsConnection, bucket: string, replicas = 1): Promise<ObjectStore> {
  return new Objm(nc).create(bucket, { storage: StorageType.File, replicas });
}

/** JetStream API codes for "stream not found" and "consumer not found". */
const NOT_FOUND_CODES = new Set([10059, 10014]);

/** A JetStream API error saying the stream or consumer does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && NOT_FOUND_CODES.has(err.code);
}
