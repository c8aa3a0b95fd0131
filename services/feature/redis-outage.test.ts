import { status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeatureStatus } from "../../gen/recmesh/common/v1/features.js";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { DLQ_STREAM, EVENTS_STREAM, deadLetterSubject } from "../kit/events/subjects.js";
import { AGGREGATOR_DURABLE } from "./adapters/feature-aggregator.js";
import { axis, FeatureHarness, until, valueOf } from "./testing/feature-harness.js";

const EVENTS = 240;
const ITEMS = 8;

let h: FeatureHarness;

beforeAll(async () => {
  h = await FeatureHarness.start({ persistRedis: true });
  for (let i = 0; i < ITEMS; i++) await h.publishItem(`i${i}`, "books", axis(i));
  await until(() => h.caughtUp(), 10_000, "items applied");
});

afterAll(async () => {
  await h?.stop();
});

async function codeOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return status.OK;
  } catch (err) {
    return (err as ServiceError).code;
  }
}

/** Redis answers again (the service's own connection reconnects in the background). */
async function featuresServed(): Promise<boolean> {
  return (await codeOf(h.getFeatures(["u0"], ["user_activity:total_interactions"]))) === status.OK;
}

describe("Redis outage", () => {
  it("answers UNAVAILABLE while Redis is down and serves again once it is back", async () => {
    await h.infra.redis?.process.stop();
    expect(await codeOf(h.getFeatures(["u0"], ["user_activity:total_interactions"]))).toBe(status.UNAVAILABLE);
    expect(await codeOf(h.streamFeatures([{ lookupId: "a", view: "item_content", entityIds: ["i0"] }]))).toBe(status.UNAVAILABLE);
    await h.infra.redis?.restart();
    await until(featuresServed, 10_000, "reads after restart");
    const [answer] = await h.streamFeatures([{ lookupId: "a", view: "item_content", entityIds: ["i0"] }]);
    expect(answer?.block?.statuses[0]).toBe(FeatureStatus.FEATURE_STATUS_PRESENT);
  });

  it("loses no event and applies none twice when Redis stops mid-stream and comes back", async () => {
    const stopAt = EVENTS / 3;
    const restartAt = (2 * EVENTS) / 3;
    const publish = async (from: number, to: number) => {
      for (let n = from; n < to; n++) await h.publishInteraction(`outage-${n}`, "u-outage", `i${n % ITEMS}`, InteractionType.INTERACTION_TYPE_VIEW);
    };
    await publish(0, stopAt);
    await h.infra.redis?.process.stop();
    await publish(stopAt, restartAt);
    // The aggregator holds the events it cannot apply, unacked, rather than dropping or dead-lettering them.
    const held = async () => {
      const info = await h.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE);
      return info.num_ack_pending + info.num_pending > 0;
    };
    await until(held, 5_000, "events held while Redis is down");
    await new Promise((r) => setTimeout(r, 300));
    expect(await held()).toBe(true);
    await h.infra.redis?.restart();
    await publish(restartAt, EVENTS);
    await until(featuresServed, 10_000, "Redis back");
    await until(() => h.caughtUp(), 20_000, "aggregator resumed and caught up");

    const user = await h.getFeatures(["u-outage"], ["user_activity:total_interactions", "user_activity:views_1h"]);
    expect(valueOf(user, "u-outage", "user_activity:total_interactions").value).toBe(EVENTS);
    expect(valueOf(user, "u-outage", "user_activity:views_1h").value).toBeCloseTo(EVENTS, 0);
    const itemIds = Array.from({ length: ITEMS }, (_, i) => `i${i}`);
    const items = await h.getFeatures(itemIds, ["item_stats:total_views"]);
    for (const id of itemIds) expect(valueOf(items, id, "item_stats:total_views").value, id).toBe(EVENTS / ITEMS);

    const subject = deadLetterSubject(AGGREGATOR_DURABLE);
    const dlq = await h.jsm.streams.info(DLQ_STREAM, { subjects_filter: subject });
    expect(dlq.state.subjects?.[subject] ?? 0).toBe(0);
  });
});
