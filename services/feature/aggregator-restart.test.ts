import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { EVENTS_STREAM } from "../kit/events/subjects.js";
import { AGGREGATOR_DURABLE } from "./adapters/feature-aggregator.js";
import { FeatureHarness, until, valueOf } from "./testing/feature-harness.js";

let h: FeatureHarness;

beforeAll(async () => {
  h = await FeatureHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

const totalViews = async (itemId: string) => valueOf(await h.getFeatures([itemId], ["item_stats:total_views"]), itemId, "item_stats:total_views").value;

describe("aggregator restart after a crash", () => {
  it("applies the events a crashed instance held unacknowledged, in order, without waiting for ack_wait", async () => {
    const view = (n: number) => h.publishInteraction(`held-${n}`, "u-held", "i-held", InteractionType.INTERACTION_TYPE_VIEW);
    await h.restartService({}, async () => {
      for (let n = 0; n < 3; n++) await view(n);
      // A process killed -9 right after fetching: these stay pending on the durable until its ack_wait (30 s) runs out.
      const held = await (await jetstream(h.nc).consumers.get(EVENTS_STREAM, AGGREGATOR_DURABLE)).fetch({ max_messages: 3, expires: 2_000 });
      const sequences: number[] = [];
      for await (const m of held) {
        sequences.push(m.seq);
        if (sequences.length === 3) break;
      }
      expect(sequences).toHaveLength(3);
      for (let n = 3; n < 5; n++) await view(n);
    });
    // Well inside ack_wait: a restart that went on from the delivered position would see 2 views now and skip the held 3 for good.
    await until(async () => (await totalViews("i-held")) === 5, 10_000, "all five views applied");
    await until(() => h.caughtUp(), 10_000, "aggregator caught up");
    expect(await totalViews("i-held")).toBe(5);
  });

  it("resumes after the last event when restarted twice with no event in between, instead of replaying the stream", async () => {
    await h.publishInteraction("quiet-1", "u-quiet", "i-quiet", InteractionType.INTERACTION_TYPE_VIEW);
    await until(() => h.caughtUp(), 10_000, "aggregator caught up");
    const last = (await h.jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    await h.restartService();
    await h.restartService();
    expect((await h.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE)).config.opt_start_seq).toBe(last + 1);
    expect(await totalViews("i-quiet")).toBe(1);
  });
});

