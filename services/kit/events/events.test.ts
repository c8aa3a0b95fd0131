import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import type { Infrastructure } from "../infra/infrastructure.js";
import { ServiceMetrics } from "../telemetry/metrics.js";
import { startTestInfrastructure } from "../testing/test-infrastructure.js";
import { testLogger } from "../testing/test-logger.js";
import { EventConsumer, type EventMeta } from "./event-consumer.js";
import { DependencyDownError, PoisonEventError } from "./event-errors.js";
import { EventPublisher } from "./event-publisher.js";
import { connectNats } from "./nats-connection.js";
import { DLQ_STREAM, EVENTS_STREAM, deadLetterSubject, interactionSubject } from "./subjects.js";
import { declareStreams, ensureKv, ensureObjectStore } from "./topology.js";

const click = (eventId: string, itemId: string) =>
  InteractionEvent.create({
    eventId,
    interaction: { userId: "u1", itemId, type: InteractionType.INTERACTION_TYPE_CLICK },
  });

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("JetStream helpers over a real nats-server", () => {
  let infra: Infrastructure;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let publisher: EventPublisher;

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    nc = await connectNats(infra.natsUrl, "events-test", testLogger());
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await declareStreams(jsm, { replicas: 1, eventRetentionDays: 1 });
    publisher = new EventPublisher(js);
  });

  afterAll(async () => {
    await nc.drain();
    await infra.stop();
  });

  it("declares the streams idempotently", async () => {
    await declareStreams(jsm, { replicas: 1, eventRetentionDays: 1 });
    const names: string[] = [];
    for await (const s of jsm.streams.list()) names.push(s.config.name);
    expect(names.sort()).toEqual(["DLQ", "EVENTS", "MODELS"]);
  });

  it("opens KV and Object Store buckets idempotently, keeping their contents", async () => {
    const kv = await ensureKv(nc, "kit-test-kv");
    await kv.put("experiment-a", "v1");
    const again = await ensureKv(nc, "kit-test-kv");
    expect((await again.get("experiment-a"))?.string()).toBe("v1");
    const os = await ensureObjectStore(nc, "kit-test-models");
    await os.putBlob({ name: "model.onnx" }, new Uint8Array([1, 2, 3]));
    const osAgain = await ensureObjectStore(nc, "kit-test-models");
    expect([...((await osAgain.getBlob("model.onnx")) ?? [])]).toEqual([1, 2, 3]);
  });

  it("stores a publish retried with the same message id once", async () => {
    const subject = interactionSubject(InteractionType.INTERACTION_TYPE_CLICK);
    const first = await publisher.publish(subject, InteractionEvent, click("dedupe-1", "i1"), { msgId: "dedupe-1", stream: EVENTS_STREAM });
    const retry = await publisher.publish(subject, InteractionEvent, click("dedupe-1", "i1"), { msgId: "dedupe-1", stream: EVENTS_STREAM });
    const other = await publisher.publish(subject, InteractionEvent, click("dedupe-2", "i1"), { msgId: "dedupe-2", stream: EVENTS_STREAM });
    expect(first.duplicate).toBe(false);
    expect(retry).toEqual({ sequence: first.sequence, duplicate: true });
    expect(other.sequence).toBe(first.sequence + 1);
    const info = await jsm.streams.info(EVENTS_STREAM);
    expect(info.state.messages).toBe(2);
  });

  it("acks handled events, dead-letters poison at once and failing events after max deliveries", async () => {
    const subject = "recmesh.events.interaction.purchase";
    const handled: string[] = [];
    const attempts = new Map<string, number>();
    const consumer = new EventConsumer(
      js,
      jsm,
      { stream: EVENTS_STREAM, durable: "dlq-test", filterSubject: subject, codec: InteractionEvent, maxDeliver: 3, retryDelaysMs: [50] },
      async (event: InteractionEvent) => {
        attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1);
        if (event.eventId === "poison") throw new PoisonEventError("item id is not in the catalog");
        if (event.eventId === "flaky") throw new Error("always fails");
        handled.push(event.eventId);
      },
      testLogger(),
      new ServiceMetrics("test"),
    );
    await consumer.start();
    for (const id of ["good-1", "poison", "flaky", "good-2"]) {
      await publisher.publish(subject, InteractionEvent, click(id, "i2"), { msgId: id });
    }
    await js.publish(subject, new Uint8Array([0xff, 0xff, 0xff]), { msgID: "garbage" });

    await until(() => handled.length === 2);
    const deadLetters = async () => {
      const out: { reason: string; seq: string }[] = [];
      const sub = await js.consumers.get(DLQ_STREAM);
      const batch = await sub.fetch({ max_messages: 10, expires: 1_000 });
      for await (const m of batch) {
        out.push({ reason: m.headers?.get("Recmesh-Dlq-Reason") ?? "", seq: m.headers?.get("Recmesh-Original-Sequence") ?? "" });
        if (out.length === 3) break;
      }
      return out;
    };
    await until(() => attempts.get("flaky") === 3);
    let letters: { reason: string; seq: string }[] = [];
    for (let i = 0; i < 50 && letters.length < 3; i++) letters = await deadLetters();
    expect(letters).toHaveLength(3);
    expect(letters.map((l) => l.reason)).toEqual(
      expect.arrayContaining([
        "failed 3 deliveries: always fails",
        "item id is not in the catalog",
        expect.stringMatching(/^undecodable event/),
      ]),
    );
    expect(attempts.get("poison")).toBe(1);
    expect(handled).toEqual(["good-1", "good-2"]);
    const info = await jsm.consumers.info(EVENTS_STREAM, "dlq-test");
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    expect(deadLetterSubject("dlq-test")).toBe("recmesh.dlq.dlq-test");
    await consumer.stop();
  });

  it("keeps redelivering an event it could not dead-letter on its last attempt, and dead-letters it once the dead-letter stream is back", async () => {
    const subject = "recmesh.events.interaction.view";
    let attempts = 0;
    const consumer = new EventConsumer(
      js,
      jsm,
      { stream: EVENTS_STREAM, durable: "dlq-down-test", filterSubject: subject, codec: InteractionEvent, maxDeliver: 2, retryDelaysMs: [50] },
      async () => {
        attempts += 1;
        throw new Error("always fails");
      },
      testLogger(),
      new ServiceMetrics("test"),
    );
    await jsm.streams.delete(DLQ_STREAM);
    await consumer.start();
    await publisher.publish(subject, InteractionEvent, click("dlq-down", "i3"), { msgId: "dlq-down" });
    await until(() => attempts === 2);
    const overLimit = async () => (await jsm.consumers.info(EVENTS_STREAM, "dlq-down-test")).delivered.consumer_seq;
    for (let i = 0; i < 100 && (await overLimit()) < 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await overLimit()).toBeGreaterThanOrEqual(4);
    expect(attempts).toBe(2);

    await declareStreams(jsm, { replicas: 1, eventRetentionDays: 1 });
    let stored = 0;
    for (let i = 0; i < 200 && stored === 0; i++) {
      const info = await jsm.streams.info(DLQ_STREAM, { subjects_filter: deadLetterSubject("dlq-down-test") });
      stored = info.state.subjects?.[deadLetterSubject("dlq-down-test")] ?? 0;
      if (stored === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(stored).toBe(1);
    const msg = await jsm.streams.getMessage(DLQ_STREAM, { last_by_subj: deadLetterSubject("dlq-down-test") });
    expect(msg?.header.get("Recmesh-Dlq-Reason")).toMatch(/^not acknowledged after 2 deliveries/);
    await until(() => attempts === 2);
    const info = await jsm.consumers.info(EVENTS_STREAM, "dlq-down-test");
    expect(info.num_ack_pending).toBe(0);
    await consumer.stop();
  });

  it("pauses on a dependency outage without acking or dead-lettering, then resumes", async () => {
    const subject = "recmesh.events.interaction.add_to_cart";
    let storeUp = false;
    const applied: EventMeta[] = [];
    const consumer = new EventConsumer(
      js,
      jsm,
      {
        stream: EVENTS_STREAM,
        durable: "pause-test",
        filterSubject: subject,
        codec: InteractionEvent,
        maxDeliver: 2,
        pauseRetryMs: 30,
        dependencyReady: async () => storeUp,
      },
      async (_event, meta) => {
        if (!storeUp) throw new DependencyDownError("redis down");
        applied.push(meta);
      },
      testLogger(),
      new ServiceMetrics("test"),
    );
    await consumer.start();
    for (const id of ["a", "b", "c"]) await publisher.publish(subject, InteractionEvent, click(id, "i3"), { msgId: `pause-${id}` });
    await new Promise((r) => setTimeout(r, 400));
    expect(applied).toHaveLength(0);
    const paused = await jsm.consumers.info(EVENTS_STREAM, "pause-test");
    expect(paused.num_ack_pending).toBeGreaterThan(0);
    storeUp = true;
    await until(() => applied.length === 3);
    expect(applied.map((m) => m.deliveryCount)).toEqual([1, 1, 1]);
    const dlqForConsumer = await jsm.streams.info(DLQ_STREAM, { subjects_filter: deadLetterSubject("pause-test") });
    expect(dlqForConsumer.state.subjects?.[deadLetterSubject("pause-test")] ?? 0).toBe(0);
    await consumer.stop();
  });

  it("resumes an in-order consumer whose pull broke at the first event it had not handled, in stream order", async () => {
    const subject = "recmesh.events.in_order_test";
    const first = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq + 1;
    for (const id of ["o1", "o2", "o3", "o4"]) await publisher.publish(subject, InteractionEvent, click(id, "i4"), { msgId: `in-order-${id}` });
    const handled: string[] = [];
    let entered = false;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const consumer = new EventConsumer(
      js,
      jsm,
      { stream: EVENTS_STREAM, durable: "in-order-test", filterSubject: subject, codec: InteractionEvent, startSequence: first, inOrder: true },
      async (event) => {
        if (handled.length === 0) {
          entered = true;
          await held;
        }
        handled.push(event.eventId);
      },
      testLogger(),
      new ServiceMetrics("test"),
    );
    await consumer.start();
    await until(() => entered);
    // The pull in hand breaks while its first event is being handled and the rest wait in the client.
    await jsm.consumers.delete(EVENTS_STREAM, "in-order-test");
    release();
    await publisher.publish(subject, InteractionEvent, click("o5", "i4"), { msgId: "in-order-o5" });
    await until(() => handled.length >= 5);
    await new Promise((r) => setTimeout(r, 300));
    expect(handled).toEqual(["o1", "o2", "o3", "o4", "o5"]);
    await consumer.stop();
  });
});
