import { status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeatureStatus } from "../../gen/recmesh/common/v1/features.js";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { FeatureType } from "../../gen/recmesh/feature/v1/feature_service.js";
import { DLQ_STREAM, deadLetterSubject, SUBJECTS } from "../kit/events/subjects.js";
import { unaryCall } from "../kit/grpc/unary-call.js";
import { AGGREGATOR_DURABLE } from "./adapters/feature-aggregator.js";
import { STATUS_NUMBERS_MATCH } from "./adapters/proto-mapping.js";
import { categoryBucket } from "./domain/category-hash.js";
import { axis, FeatureHarness, until, valueOf } from "./testing/feature-harness.js";

const { INTERACTION_TYPE_CLICK: CLICK, INTERACTION_TYPE_VIEW: VIEW, INTERACTION_TYPE_PURCHASE: PURCHASE } = InteractionType;

let h: FeatureHarness;

beforeAll(async () => {
  h = await FeatureHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

async function statusOf(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error("call succeeded");
}

describe("feature service over real NATS and Redis", () => {
  it("serves an interaction published to JetStream through GetFeatures within a second", async () => {
    await h.publishItem("i-books", "books", axis(0));
    const published = Date.now();
    await h.publishInteraction("e-live-1", "u-live", "i-books", CLICK);
    let answer = { entities: [] } as Awaited<ReturnType<FeatureHarness["getFeatures"]>>;
    await until(async () => {
      answer = await h.getFeatures(["u-live"], ["user_activity:total_interactions", "user_activity:clicks_1h", "user_taste:embedding", "user_taste:category_affinity"]);
      return valueOf(answer, "u-live", "user_activity:total_interactions").value === 1;
    }, 5_000, "click in GetFeatures");
    const total = valueOf(answer, "u-live", "user_activity:total_interactions");
    expect(total).toEqual({ value: 1, status: FeatureStatus.FEATURE_STATUS_PRESENT });
    expect(valueOf(answer, "u-live", "user_activity:clicks_1h").value).toBeCloseTo(1, 3);
    expect(valueOf(answer, "u-live", "user_taste:embedding").value).toEqual(axis(0));
    const affinity = valueOf(answer, "u-live", "user_taste:category_affinity").value as number[];
    expect(affinity[categoryBucket("books") ?? -1]).toBe(1);
    expect(answer.entities[0]?.values.map((v) => v.name)).toEqual([
      "user_activity:total_interactions",
      "user_activity:clicks_1h",
      "user_taste:embedding",
      "user_taste:category_affinity",
    ]);
    expect(answer.entities[0]?.eventTime?.getTime()).toBeGreaterThanOrEqual(published - 1_000);

    const item = await h.getFeatures(["i-books"], ["item_stats:total_clicks", "item_stats:ctr_7d", "item_content:category_hash"]);
    expect(valueOf(item, "i-books", "item_stats:total_clicks").value).toBe(1);
    expect(valueOf(item, "i-books", "item_stats:ctr_7d").value).toBeCloseTo((1 + 0.05 * 20) / 20, 4);
    expect((valueOf(item, "i-books", "item_content:category_hash").value as number[]).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("tells a default from a real value: unknown entities come back MISSING with the view's defaults, in request order", async () => {
    const answer = await h.getFeatures(["u-nobody", "u-live"], ["user_activity:ctr_7d", "user_activity:total_interactions"]);
    expect(answer.entities.map((e) => e.entityId)).toEqual(["u-nobody", "u-live"]);
    expect(valueOf(answer, "u-nobody", "user_activity:ctr_7d").value).toBeCloseTo(0.05, 6);
    expect(valueOf(answer, "u-nobody", "user_activity:ctr_7d").status).toBe(FeatureStatus.FEATURE_STATUS_MISSING);
    expect(answer.entities[0]?.eventTime).toBeUndefined();
    expect(valueOf(answer, "u-live", "user_activity:total_interactions").status).toBe(FeatureStatus.FEATURE_STATUS_PRESENT);
    expect(STATUS_NUMBERS_MATCH).toBe(true);
  });

  it("flags rows older than the view's max age STALE, still with their values", async () => {
    const longAgo = new Date(Date.now() - 40 * 24 * 3_600_000);
    await h.publishInteraction("e-old-1", "u-old", "i-books", VIEW, longAgo);
    await until(async () => valueOf(await h.getFeatures(["u-old"], ["user_activity:total_interactions"]), "u-old", "user_activity:total_interactions").value === 1);
    const answer = await h.getFeatures(["u-old"], ["user_activity:total_interactions", "user_activity:hours_since_last_interaction"]);
    expect(valueOf(answer, "u-old", "user_activity:total_interactions").status).toBe(FeatureStatus.FEATURE_STATUS_STALE);
    expect(valueOf(answer, "u-old", "user_activity:hours_since_last_interaction").value).toBeCloseTo(960, 0);
  });

  it("StreamFeatures returns all 500 items in request order without echoing their ids, one block per lookup, errors per lookup", async () => {
    const ids = Array.from({ length: 500 }, (_, i) => `i-bulk-${i}`);
    for (const [i, id] of ids.entries()) await h.publishItem(id, `cat-${i % 7}`, axis(i));
    await until(async () => {
      const [answer] = await h.streamFeatures([{ lookupId: "probe", view: "item_content", entityIds: [ids[499] ?? ""] }]);
      return answer?.block?.statuses[0] === FeatureStatus.FEATURE_STATUS_PRESENT;
    }, 15_000, "500 items applied");
    const order = ids.map((id, i) => ({ id, i })).sort((a, b) => ((a.i * 7919) % 500) - ((b.i * 7919) % 500));
    const requested = order.map((o) => o.id);
    const answers = await h.streamFeatures([
      { lookupId: "content", view: "item_content", entityIds: requested },
      { lookupId: "bad", view: "item_colour", entityIds: requested },
      { lookupId: "stats", view: "item_stats", entityIds: [...requested, "i-books"] },
    ]);
    expect(answers.map((a) => a.lookupId)).toEqual(["content", "bad", "stats"]);
    const block = answers[0]?.block;
    if (!block) throw new Error("no block");
    expect(block).toMatchObject({ view: "item_content", viewVersion: 1, width: 64 });
    expect(block.entityIds, "rows follow the request's ids, which are not echoed").toEqual([]);
    expect(block.values.length).toBe(500 * 64 * 4);
    expect([...block.statuses].every((s) => s === FeatureStatus.FEATURE_STATUS_PRESENT)).toBe(true);
    const floats = new Float32Array(500 * 64);
    new Uint8Array(floats.buffer).set(block.values);
    order.forEach(({ i }, row) => {
      expect(floats[row * 64 + (i % 32)], `row ${row} is item ${i}`).toBe(1);
    });
    expect(answers[1]?.block).toBeUndefined();
    expect(answers[1]?.error).toMatchObject({ code: status.INVALID_ARGUMENT, field: "view" });
    expect(answers[1]?.error?.message).toContain('unknown feature view "item_colour"');
    const stats = answers[2]?.block;
    expect(stats?.statuses).toHaveLength(501);
    expect([...(stats?.statuses ?? [])].slice(0, 500).every((s) => s === FeatureStatus.FEATURE_STATUS_MISSING)).toBe(true);
    expect(stats?.statuses[500]).toBe(FeatureStatus.FEATURE_STATUS_PRESENT);
    const metrics = await (await fetch(`http://127.0.0.1:${h.service.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/recmesh_feature_rows_served_total\{[^}]*view="item_stats"[^}]*status="missing"[^}]*\} 500/);
  });

  it("answers bad input with INVALID_ARGUMENT naming the problem and the limit", async () => {
    const unknownView = await statusOf(h.getFeatures(["u1"], ["user_mood:happy"]));
    expect(unknownView.code).toBe(status.INVALID_ARGUMENT);
    expect(unknownView.details).toContain('features[0]: unknown feature view "user_mood"');
    const unknownFeature = await statusOf(h.getFeatures(["u1"], ["user_activity:views_1h", "user_taste:mood"]));
    expect(unknownFeature.code).toBe(status.INVALID_ARGUMENT);
    expect(unknownFeature.details).toContain('features[1]: feature view "user_taste" has no feature "mood"');
    const empty = await statusOf(h.getFeatures([], ["user_taste:embedding"]));
    expect(empty).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(empty.details).toContain("at most 100");
    const tooMany = await statusOf(h.getFeatures(Array.from({ length: 101 }, (_, i) => `u${i}`), ["user_taste:embedding"]));
    expect(tooMany.details).toBe("entity_ids: holds 101 ids; the limit is 100");
    const mixed = await statusOf(h.getFeatures(["x"], ["user_taste:embedding", "item_content:embedding"]));
    expect(mixed.code).toBe(status.INVALID_ARGUMENT);
    expect(mixed.details).toContain("mixes entity types");
    const noFeatures = await statusOf(h.getFeatures(["x"], []));
    expect(noFeatures.code).toBe(status.INVALID_ARGUMENT);
    const [oversized] = await h.streamFeatures([{ lookupId: "big", view: "item_stats", entityIds: Array.from({ length: 2001 }, (_, i) => `i${i}`) }]);
    expect(oversized?.error).toMatchObject({ code: status.INVALID_ARGUMENT, field: "entity_ids", message: "entity_ids: holds 2001 ids; the limit is 2000" });
    const write = await statusOf(
      unaryCall(h.client.writeFeatures.bind(h.client), { view: "nope", entities: [], source: "t" }, { deadline: Date.now() + 5_000 }),
    );
    expect(write.code).toBe(status.INVALID_ARGUMENT);
    expect(write.details).toContain('unknown feature view "nope"');
  });

  it("lists the registry with offsets, widths, defaults and ages", async () => {
    const { views } = await unaryCall(h.client.listFeatureViews.bind(h.client), {}, { deadline: Date.now() + 5_000 });
    expect(views.map((v) => v.name)).toEqual(["item_content", "user_taste", "user_activity", "item_stats"]);
    const activity = views.find((v) => v.name === "user_activity");
    expect(activity?.width).toBe(activity?.features.reduce((sum, f) => sum + f.dimension, 0));
    expect(activity?.maxAge).toEqual({ seconds: String(30 * 86_400), nanos: 0 });
    const ctr = activity?.features.find((f) => f.name === "ctr_7d");
    expect(ctr?.type).toBe(FeatureType.FEATURE_TYPE_FLOAT);
    expect(ctr?.defaultValue?.kind).toEqual({ $case: "floatValue", value: expect.closeTo(0.05, 6) });
    const taste = views.find((v) => v.name === "user_taste");
    expect(taste?.features.map((f) => [f.name, f.dimension, f.offset])).toEqual([
      ["embedding", 32, 0],
      ["category_affinity", 32, 32],
    ]);
  });

  it("WriteFeatures validates, records a features-updated event and is readable when it returns", async () => {
    const embedding = axis(9).map((v) => v * 0.5);
    const response = await unaryCall(
      h.client.writeFeatures.bind(h.client),
      {
        view: "user_taste",
        source: "batch-taste-job",
        entities: [{ entityId: "u-batch", eventTime: undefined, values: [{ name: "user_taste:embedding", value: { kind: { $case: "vectorValue", value: { values: embedding } } }, status: 0 }] }],
      },
      { deadline: Date.now() + 10_000 },
    );
    expect(response.writtenEntities).toBe(1);
    const answer = await h.getFeatures(["u-batch"], ["user_taste:embedding", "user_taste:category_affinity"]);
    expect(valueOf(answer, "u-batch", "user_taste:embedding")).toEqual({ value: embedding, status: FeatureStatus.FEATURE_STATUS_PRESENT });
    expect(valueOf(answer, "u-batch", "user_taste:category_affinity").value).toEqual(new Array(32).fill(0));
    const info = await h.jsm.streams.info("EVENTS", { subjects_filter: SUBJECTS.featuresUpdated });
    expect(info.state.subjects?.[SUBJECTS.featuresUpdated]).toBe(1);
  });

  it("dead-letters poison events and keeps applying the ones after them", async () => {
    h.nc.publish("recmesh.events.interaction.click", new Uint8Array([0xff, 0xff, 0xff]));
    await h.nc.flush();
    await h.publisher.publish(
      "recmesh.events.interaction.view",
      InteractionEvent,
      InteractionEvent.fromPartial({ eventId: "e-no-user", interaction: { itemId: "i-books", type: VIEW } }),
      { msgId: "e-no-user" },
    );
    await h.publishInteraction("e-after-poison", "u-after", "i-books", PURCHASE);
    await until(async () => valueOf(await h.getFeatures(["u-after"], ["user_activity:total_interactions"]), "u-after", "user_activity:total_interactions").value === 1);
    const subject = deadLetterSubject(AGGREGATOR_DURABLE);
    await until(async () => {
      const info = await h.jsm.streams.info(DLQ_STREAM, { subjects_filter: subject });
      return (info.state.subjects?.[subject] ?? 0) === 2;
    }, 5_000, "two dead letters");
  });
});
