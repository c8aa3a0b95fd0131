import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import * as hdr from "hdr-histogram-js";
import { GenerateRequest } from "../gen/recmesh/candidate/v1/candidate_service.js";
import { ItemUpsertedEvent } from "../gen/recmesh/events/v1/item_upserted_event.js";
import { FeatureServiceClient, GetFeaturesRequest } from "../gen/recmesh/feature/v1/feature_service.js";
import { EventPublisher } from "../services/kit/events/event-publisher.js";
import { EVENTS_STREAM, SUBJECTS } from "../services/kit/events/subjects.js";
import { createClient } from "../services/kit/grpc/client-factory.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import type { BenchStack } from "./candidate-bench-stack.js";

/** Longest a new item may take to show up before the run counts it as never retrievable. */
const GIVE_UP_MS = 10_000;

/**
 * Item event → retrievable by ANN: for each of `count` users with a taste, a
 * new item whose embedding is that taste (so it is the user's nearest
 * neighbour) is published to JetStream, then ANN-only Generate is called back
 * to back until the item is among the answers. Timed from just before the
 * publish, one item at a time; microseconds in the histogram.
 */
export async function measureAnnFreshness(stack: BenchStack, users: readonly string[], count: number): Promise<{ latency: hdr.Histogram; missed: number }> {
  const nc = await connect({ servers: stack.natsUrl });
  const publisher = new EventPublisher(jetstream(nc));
  const features = createClient(FeatureServiceClient, stack.featureAddress, { maxMessageBytes: 16 * 1024 * 1024 });
  const latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let missed = 0;
  try {
    let measured = 0;
    for (const userId of users) {
      if (measured === count) break;
      const answer = await unaryCall(features.getFeatures.bind(features), GetFeaturesRequest.fromPartial({ entityIds: [userId], features: ["user_taste:embedding"] }), {
        deadline: Date.now() + 5_000,
      });
      const kind = answer.entities[0]?.values[0]?.value?.kind;
      const taste = kind?.$case === "vectorValue" ? kind.value.values : [];
      if (!taste.some((v) => v !== 0)) continue;
      const itemId = `fresh-${measured}`;
      const event = ItemUpsertedEvent.fromPartial({ eventId: itemId, item: { itemId, category: "fresh", embedding: taste, available: true }, occurredAt: new Date() });
      const start = process.hrtime.bigint();
      await publisher.publish(SUBJECTS.itemUpserted, ItemUpsertedEvent, event, { msgId: itemId, stream: EVENTS_STREAM });
      const giveUp = Date.now() + GIVE_UP_MS;
      for (;;) {
        const res = await unaryCall(stack.client.generate.bind(stack.client), GenerateRequest.fromPartial({ userId, k: 10, sources: ["embedding_ann"] }), {
          deadline: Date.now() + 5_000,
        });
        if (res.candidates.some((c) => c.itemId === itemId)) {
          latency.recordValue(Math.max(1, Number(process.hrtime.bigint() - start) / 1000));
          break;
        }
        if (Date.now() > giveUp) {
          missed++;
          break;
        }
      }
      measured++;
    }
  } finally {
    features.close();
    await nc.close();
  }
  return { latency, missed };
}
