import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Metadata, type ServiceError } from "@grpc/grpc-js";
import { Redis } from "ioredis";
import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../../gen/recmesh/events/v1/item_upserted_event.js";
import {
  FeatureServiceClient,
  type GetFeaturesResponse,
  type StreamFeaturesRequest,
  type StreamFeaturesResponse,
} from "../../../gen/recmesh/feature/v1/feature_service.js";
import { EventPublisher } from "../../kit/events/event-publisher.js";
import { EVENTS_STREAM, interactionSubject, SUBJECTS } from "../../kit/events/subjects.js";
import { createClient } from "../../kit/grpc/client-factory.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import { startTestInfrastructure } from "../../kit/testing/test-infrastructure.js";
import { testLogger } from "../../kit/testing/test-logger.js";
import { AGGREGATOR_DURABLE } from "../adapters/feature-aggregator.js";
import { loadFeatureConfig } from "../config.js";
import { STORAGE_PREFIX } from "../domain/row-store.js";
import { startFeatureService } from "../main.js";

export type Infra = Awaited<ReturnType<typeof startTestInfrastructure>>;
export type FeatureService = Awaited<ReturnType<typeof startFeatureService>>;

/** A unit embedding along one axis: easy to recognise in a taste mean. */
export function axis(i: number, dim = 32): number[] {
  const v = new Array<number>(dim).fill(0);
  v[i % dim] = 1;
  return v;
}

/** Polls `check` until it holds; fails after `timeoutMs`. Bounded, for "within a second" style checks. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Real nats-server, redis-server and the feature service on port 0, with a
 * client, an event publisher and a raw Redis connection for byte-level checks.
 */
export class FeatureHarness {
  private constructor(
    readonly infra: Infra,
    public service: FeatureService,
    public client: FeatureServiceClient,
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly publisher: EventPublisher,
    readonly redis: Redis,
    private readonly env: Record<string, string>,
  ) {}

  static async start(options: { persistRedis?: boolean; env?: Record<string, string> } = {}): Promise<FeatureHarness> {
    const infra = await startTestInfrastructure({ persistRedis: options.persistRedis });
    const env = { NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, RECMESH_FEATURE_PORT: "0", RECMESH_FEATURE_ADMIN_PORT: "0", ...options.env };
    const service = await startFeatureService(loadFeatureConfig(env), { logger: testLogger() });
    const nc = await connect({ servers: infra.natsUrl });
    const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    // Outage tests stop Redis on purpose; this inspection client just reconnects.
    redis.on("error", () => undefined);
    const harness = new FeatureHarness(
      infra,
      service,
      clientFor(service),
      nc,
      await jetstreamManager(nc),
      new EventPublisher(jetstream(nc)),
      redis,
      env,
    );
    return harness;
  }

  /** Stops the service and starts a fresh one on the same NATS and Redis (the durable aggregator resumes); `whileStopped` runs in between. */
  async restartService(extraEnv: Record<string, string> = {}, whileStopped: () => Promise<void> = async () => undefined): Promise<void> {
    this.client.close();
    await this.service.stop();
    await whileStopped();
    this.service = await startFeatureService(loadFeatureConfig({ ...this.env, ...extraEnv }), { logger: testLogger() });
    this.client = clientFor(this.service);
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.service.stop();
    await this.nc.drain();
    this.redis.disconnect();
    await this.infra.stop();
  }

  publishItem(itemId: string, category: string, embedding: number[], occurredAt = new Date()): Promise<unknown> {
    const event = ItemUpsertedEvent.fromPartial({
      eventId: `item-${itemId}-${occurredAt.getTime()}`,
      item: { itemId, category, embedding, available: true, createdAt: occurredAt },
      occurredAt,
    });
    return this.publisher.publish(SUBJECTS.itemUpserted, ItemUpsertedEvent, event, { msgId: event.eventId });
  }

  publishInteraction(eventId: string, userId: string, itemId: string, type: InteractionType, occurredAt = new Date(), value = 0) {
    const event = InteractionEvent.fromPartial({
      eventId,
      interaction: { eventId, userId, itemId, type, occurredAt, value },
      receivedAt: occurredAt,
    });
    return this.publisher.publish(interactionSubject(type), InteractionEvent, event, { msgId: eventId });
  }

  getFeatures(entityIds: string[], features: string[]): Promise<GetFeaturesResponse> {
    return unaryCall(this.client.getFeatures.bind(this.client), { entityIds, features }, { deadline: Date.now() + 10_000 });
  }

  /** One StreamFeatures call: writes every lookup, half-closes, collects the answers. */
  streamFeatures(lookups: StreamFeaturesRequest[]): Promise<StreamFeaturesResponse[]> {
    return new Promise((resolve, reject) => {
      const call = this.client.streamFeatures(new Metadata(), { deadline: Date.now() + 20_000 });
      const answers: StreamFeaturesResponse[] = [];
      call.on("data", (r: StreamFeaturesResponse) => answers.push(r));
      call.on("error", (err: ServiceError) => reject(err));
      call.on("end", () => resolve(answers));
      for (const l of lookups) call.write(l);
      call.end();
    });
  }

  /** True once the aggregator has handled (acked or dead-lettered) every event in the stream. */
  async caughtUp(): Promise<boolean> {
    const consumer = await this.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE);
    const stream = await this.jsm.streams.info(EVENTS_STREAM);
    return consumer.num_pending === 0 && consumer.num_ack_pending === 0 && consumer.delivered.stream_seq >= stream.state.last_seq;
  }

  /** Every stored feature row, key → hex bytes: what "the same features" means byte for byte. */
  async snapshot(): Promise<Map<string, string>> {
    const rows = new Map<string, string>();
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${STORAGE_PREFIX}*`, "COUNT", 1000);
      const values = keys.length > 0 ? await this.redis.mgetBuffer(keys) : [];
      keys.forEach((k, i) => rows.set(k, values[i]?.toString("hex") ?? ""));
      cursor = next;
    } while (cursor !== "0");
    return new Map([...rows].sort(([a], [b]) => a.localeCompare(b)));
  }
}

function clientFor(service: FeatureService): FeatureServiceClient {
  return createClient(FeatureServiceClient, `127.0.0.1:${service.grpcPort}`, { maxMessageBytes: 16 * 1024 * 1024 });
}

/** The value of one named feature of one entity in a GetFeatures answer. */
export function valueOf(response: GetFeaturesResponse, entityId: string, name: string) {
  const entity = response.entities.find((e) => e.entityId === entityId);
  const named = entity?.values.find((v) => v.name === name);
  if (!named) throw new Error(`${name} of ${entityId} missing from the answer`);
  const kind = named.value?.kind;
  const value =
    kind?.$case === "vectorValue" ? kind.value.values : kind?.$case === "intValue" ? Number(kind.value) : kind?.$case === "boolValue" ? Number(kind.value) : kind?.value;
  return { value, status: named.status };
}
