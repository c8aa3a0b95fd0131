import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { ExposureEvent } from "../../gen/recmesh/events/v1/exposure_event.js";
import { FailedPreconditionError } from "../kit/errors/errors.js";
import { EVENTS_STREAM, SUBJECTS } from "../kit/events/subjects.js";
import { unaryCall } from "../kit/grpc/unary-call.js";
import { FeatureEventDecoder } from "./adapters/event-decoder.js";
import { AGGREGATOR_DURABLE } from "./adapters/feature-aggregator.js";
import { FeatureKeyspace } from "./adapters/redis-keyspace.js";
import { RedisRowStore } from "./adapters/redis-row-store.js";
import { FeatureProjector } from "./domain/feature-projector.js";
import { FeatureRegistry } from "./registry/feature-registry.js";
import { EMBEDDING_DIM, FEATURE_VIEWS } from "./registry/feature-views.js";
import { replayProjection } from "./replay/replay-projection.js";
import { axis, FeatureHarness, until } from "./testing/feature-harness.js";

const TYPES = [
  InteractionType.INTERACTION_TYPE_VIEW,
  InteractionType.INTERACTION_TYPE_VIEW,
  InteractionType.INTERACTION_TYPE_CLICK,
  InteractionType.INTERACTION_TYPE_ADD_TO_CART,
  InteractionType.INTERACTION_TYPE_PURCHASE,
  InteractionType.INTERACTION_TYPE_RATING,
  InteractionType.INTERACTION_TYPE_DISMISS,
];
const HOUR = 3_600_000;
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

let h: FeatureHarness;

/** A history with every kind of event the projection sees, times spread over ten days and out of order. */
async function publishHistory(): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < 20; i++) await h.publishItem(`i${i}`, ["books", "toys", "garden", "music"][i % 4] ?? "", axis(i * 3), new Date(now - 240 * HOUR));
  await h.publishItem("i-no-embedding", "books", [], new Date(now - 200 * HOUR));
  for (let n = 0; n < 300; n++) {
    const when = new Date(now - ((n * 7919) % 240) * HOUR - n * 1_000);
    const type = TYPES[n % TYPES.length] ?? InteractionType.INTERACTION_TYPE_VIEW;
    await h.publishInteraction(`e${n}`, `u${n % 15}`, n % 23 === 0 ? "i-no-embedding" : `i${(n * 13) % 20}`, type, when, type === InteractionType.INTERACTION_TYPE_RATING ? 1 + (n % 5) : 0);
  }
  await h.publisher.publish(
    SUBJECTS.exposure,
    ExposureEvent,
    ExposureEvent.fromPartial({ requestId: "r1", userId: "u1", itemIds: ["i1", "i2"], exposedAt: new Date(now) }),
    { msgId: "exposure:r1:" },
  );
  h.nc.publish("recmesh.events.interaction.view", new Uint8Array([0xff, 0x01]));
  await unaryCall(
    h.client.writeFeatures.bind(h.client),
    {
      view: "item_stats",
      source: "nightly-popularity",
      entities: [
        { entityId: "i3", eventTime: new Date(now - 2 * HOUR), values: [{ name: "item_stats:popularity", value: { kind: { $case: "floatValue", value: 12.5 } }, status: 0 }] },
        { entityId: "i-batch-only", eventTime: undefined, values: [{ name: "total_views", value: { kind: { $case: "intValue", value: "77" } }, status: 0 }] },
      ],
    },
    { deadline: Date.now() + 10_000 },
  );
  for (let n = 300; n < 340; n++) {
    await h.publishInteraction(`e${n}`, `u${n % 15}`, `i${n % 20}`, InteractionType.INTERACTION_TYPE_CLICK, new Date(now - (n % 5) * HOUR));
  }
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/recmesh.mjs", ...args],
      { cwd: repoRoot, timeout: 90_000, env: { ...process.env, NATS_URL: h.infra.natsUrl, REDIS_URL: h.infra.redisUrl } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  h = await FeatureHarness.start();
  await publishHistory();
  await until(() => h.caughtUp(), 30_000, "aggregator caught up");
});

afterAll(async () => {
  await h?.stop();
});

describe("idempotency and replay over real NATS and Redis", () => {
  it("leaves every feature unchanged when the whole stream is delivered again", async () => {
    const before = await h.snapshot();
    expect(before.size).toBeGreaterThan(50);
    await h.service.stop();
    await h.jsm.consumers.delete(EVENTS_STREAM, AGGREGATOR_DURABLE);
    await h.restartService();
    await until(() => h.caughtUp(), 30_000, "redelivered stream handled");
    const info = await h.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE);
    expect(info.delivered.stream_seq).toBeGreaterThan(300);
    expect(await h.snapshot()).toEqual(before);
  });

  it("refuses to replay while the aggregator runs, or into a Redis that holds feature rows", async () => {
    const registry = new FeatureRegistry(FEATURE_VIEWS);
    const options = {
      js: jetstream(h.nc),
      jsm: h.jsm,
      keyspace: new FeatureKeyspace(h.redis),
      decoder: new FeatureEventDecoder(registry, EMBEDDING_DIM),
      projector: new FeatureProjector(registry, new RedisRowStore(h.redis)),
      flush: false,
      batchSize: 64,
    };
    await until(async () => (await h.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE)).num_waiting > 0, 10_000, "aggregator pulling");
    await expect(replayProjection({ ...options, force: false })).rejects.toThrow(/feature aggregator is running/);
    const nonEmpty = replayProjection({ ...options, force: true });
    await expect(nonEmpty).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(nonEmpty).rejects.toThrow(/--flush/);
  });

  it("rebuilds exactly the same features from the stream into an empty Redis (recmesh replay)", async () => {
    const before = await h.snapshot();
    await h.service.stop();
    await until(async () => (await h.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE)).num_waiting === 0, 15_000, "aggregator pulls expired");

    const refused = await runCli(["replay", "--no-progress"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--flush");

    await h.redis.flushdb();
    expect((await h.snapshot()).size).toBe(0);
    const replayed = await runCli(["replay", "--no-progress", "--batch", "37"]);
    expect(replayed.stderr).toBe("");
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(/1 poison skipped/);
    expect(await h.snapshot()).toEqual(before);

    const again = await runCli(["replay", "--no-progress", "--flush"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`flushed ${before.size} feature rows`));
    expect(await h.snapshot()).toEqual(before);
  });
});
