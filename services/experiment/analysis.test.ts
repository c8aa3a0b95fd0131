import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { ExposureEvent } from "../../gen/recmesh/events/v1/exposure_event.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import type { GetResultsResponse } from "../../gen/recmesh/experiment/v1/experiment_service.js";
import { EVENTS_STREAM, interactionSubject, SUBJECTS } from "../kit/events/subjects.js";
import { RedisResultsStore } from "./adapters/redis-results-store.js";
import { exposureMessageId } from "./exposure.js";
import { experiment, ExperimentHarness, type Instance, until } from "./testing/experiment-harness.js";

const { INTERACTION_TYPE_CLICK: CLICK, INTERACTION_TYPE_VIEW: VIEW, INTERACTION_TYPE_PURCHASE: PURCHASE } = InteractionType;
const T0 = Date.parse("2030-05-01T12:00:00Z");

let h: ExperimentHarness;
let instance: Instance;

beforeAll(async () => {
  h = await ExperimentHarness.start();
  instance = await h.startInstance();
});

afterAll(async () => {
  await h?.stop();
});

interface Exposure {
  experiment: string;
  variant: string;
  userId: string;
  atMs: number;
  requestId?: string;
  forced?: boolean;
}

async function publishExposure(e: Exposure): Promise<void> {
  const requestId = e.requestId ?? `req-${e.userId}-${e.experiment}`;
  const event = ExposureEvent.fromPartial({
    requestId,
    userId: e.userId,
    surface: "home",
    assignment: { experiment: e.experiment, variant: e.variant, forced: e.forced ?? false, bucket: 0.5 },
    itemIds: ["item-1", "item-2"],
    exposedAt: new Date(e.atMs),
  });
  await h.publisher.publish(SUBJECTS.exposure, ExposureEvent, event, { msgId: exposureMessageId(requestId, e.experiment), stream: EVENTS_STREAM });
}

async function publishInteraction(eventId: string, userId: string, type: InteractionType, atMs: number): Promise<void> {
  const event = InteractionEvent.fromPartial({ eventId, interaction: { eventId, userId, itemId: "item-1", type, occurredAt: new Date(atMs) } });
  await h.publisher.publish(interactionSubject(type), InteractionEvent, event, { msgId: eventId, stream: EVENTS_STREAM });
}

/** Runs `publish` for every item, 200 in flight at a time. */
async function inBatches<T>(items: T[], publish: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 200) await Promise.all(items.slice(i, i + 200).map(publish));
}

async function resultsWhen(name: string, ready: (r: GetResultsResponse) => boolean, timeoutMs = 60_000): Promise<GetResultsResponse> {
  let last: GetResultsResponse | undefined;
  await until(async () => ready((last = await instance.results(name))), timeoutMs, `results of ${name}`);
  return last as GetResultsResponse;
}

const variantOf = (r: GetResultsResponse, name: string) => r.variants.find((v) => v.variant === name);

describe("exposure analysis over JetStream and Redis", () => {
  it("flags a planted 45/55 split of a 50/50 experiment as a sample ratio mismatch", async () => {
    await instance.put(experiment("srm-check"));
    const exposures = Array.from({ length: 2_000 }, (_, i): Exposure => ({
      experiment: "srm-check",
      variant: i < 900 ? "control" : "treatment",
      userId: `srm-${i}`,
      atMs: T0,
    }));
    await inBatches(exposures, publishExposure);
    const r = await resultsWhen("srm-check", (x) => Number(x.variants[0]?.exposedUsers) + Number(x.variants[1]?.exposedUsers) === 2_000);
    expect(variantOf(r, "control")?.exposedUsers).toBe("900");
    expect(variantOf(r, "treatment")?.exposedUsers).toBe("1100");
    expect(r.sampleRatio?.chiSquare).toBeCloseTo(20, 9);
    expect(r.sampleRatio?.pValue).toBeLessThan(0.001);
    expect(r.sampleRatio?.mismatch).toBe(true);
  });

  it("detects a planted 10% lift at the significance a two-proportion z-test predicts", { timeout: 120_000 }, async () => {
    await instance.put(experiment("lift-check"));
    const exposures: Exposure[] = [];
    const clicks: [string, string, number][] = [];
    for (const [variant, converters] of [["control", 800], ["treatment", 880]] as const) {
      for (let i = 0; i < 4_000; i++) {
        const userId = `lift-${variant}-${i}`;
        exposures.push({ experiment: "lift-check", variant, userId, atMs: T0 });
        if (i < converters) clicks.push([`click-${userId}`, userId, T0 + 60_000]);
      }
    }
    await inBatches(exposures, publishExposure);
    await inBatches(clicks, ([id, user, at]) => publishInteraction(id, user, CLICK, at));
    const r = await resultsWhen("lift-check", (x) => Number(x.variants[0]?.convertedUsers) + Number(x.variants[1]?.convertedUsers) === 1_680, 100_000);
    const control = variantOf(r, "control");
    const treatment = variantOf(r, "treatment");
    expect(control).toMatchObject({ exposedUsers: "4000", convertedUsers: "800", isControl: true, lift: 0, pValue: 1 });
    expect(control?.conversionRate).toBeCloseTo(0.2, 12);
    expect(treatment).toMatchObject({ exposedUsers: "4000", convertedUsers: "880", isControl: false });
    expect(treatment?.conversionRate).toBeCloseTo(0.22, 12);
    expect(treatment?.lift).toBeCloseTo(0.1, 12);
    // Hand-computed: pooled p̂ = 0.21, z = 0.02 / √(0.21·0.79·2/4000) = 2.19595, two-sided p = 0.0280958.
    expect(treatment?.pValue).toBeCloseTo(0.0280958, 5);
    expect(treatment?.pValue).toBeLessThan(0.05);
    // Delta method: sd(lift) = 0.0477815, 95% CI = 0.1 ± 1.959964·sd = [0.00636, 0.19364], which excludes 0.
    expect(treatment?.liftCiLow).toBeCloseTo(0.0063617, 5);
    expect(treatment?.liftCiHigh).toBeCloseTo(0.1936383, 5);
    expect(r.sampleRatio?.mismatch).toBe(false);
    expect(r.computedAt).toBeInstanceOf(Date);
  });

  it("counts a conversion only after the first exposure, whatever order the events arrive in, and ignores forced exposures", async () => {
    await instance.put(experiment("hygiene"));
    await instance.put(experiment("hygiene-purchase", { conversionEvent: "PURCHASE" }));
    // h-early clicked before being exposed: not a conversion until a later click.
    await publishInteraction("h-early-c1", "h-early", CLICK, T0 - 1_000);
    await publishExposure({ experiment: "hygiene", variant: "treatment", userId: "h-early", atMs: T0 });
    // h-before only ever clicked before its exposure: never a conversion.
    await publishInteraction("h-before-c1", "h-before", CLICK, T0 - 1_000);
    await publishExposure({ experiment: "hygiene", variant: "control", userId: "h-before", atMs: T0 });
    // h-late's exposure is published after its (later) click: still a conversion.
    await publishInteraction("h-late-c1", "h-late", CLICK, T0 + 5_000);
    await publishExposure({ experiment: "hygiene", variant: "control", userId: "h-late", atMs: T0 });
    // A retried publish and a second request for the same user count the user once.
    await publishExposure({ experiment: "hygiene", variant: "control", userId: "h-twice", atMs: T0, requestId: "r1" });
    await publishExposure({ experiment: "hygiene", variant: "control", userId: "h-twice", atMs: T0, requestId: "r1" });
    await publishExposure({ experiment: "hygiene", variant: "control", userId: "h-twice", atMs: T0 + 10, requestId: "r2" });
    // A views-only user never converts; a forced (QA) exposure is never counted.
    await publishExposure({ experiment: "hygiene", variant: "treatment", userId: "h-viewer", atMs: T0 });
    await publishInteraction("h-viewer-v1", "h-viewer", VIEW, T0 + 1_000);
    await publishExposure({ experiment: "hygiene", variant: "treatment", userId: "h-qa", atMs: T0, forced: true });
    await publishInteraction("h-qa-c1", "h-qa", CLICK, T0 + 1_000);
    // PURCHASE is the conversion of hygiene-purchase: its clicker does not convert, its buyer does.
    await publishExposure({ experiment: "hygiene-purchase", variant: "control", userId: "h-clicker", atMs: T0 });
    await publishInteraction("h-clicker-c1", "h-clicker", CLICK, T0 + 1_000);
    await publishExposure({ experiment: "hygiene-purchase", variant: "control", userId: "h-buyer", atMs: T0 });
    await publishInteraction("h-buyer-p1", "h-buyer", PURCHASE, T0 + 1_000);
    await publishInteraction("h-early-c2", "h-early", CLICK, T0 + 2_000);

    const r = await resultsWhen("hygiene", (x) => variantOf(x, "treatment")?.convertedUsers === "1" && variantOf(x, "control")?.convertedUsers === "1");
    expect(variantOf(r, "control")).toMatchObject({ exposedUsers: "3", convertedUsers: "1" });
    expect(variantOf(r, "treatment")).toMatchObject({ exposedUsers: "2", convertedUsers: "1" });
    const p = await resultsWhen("hygiene-purchase", (x) => variantOf(x, "control")?.convertedUsers === "1");
    expect(variantOf(p, "control")).toMatchObject({ exposedUsers: "2", convertedUsers: "1" });
  });

  it("applies a redelivered event idempotently", async () => {
    const redis = new Redis(h.infra.redisUrl);
    try {
      const store = new RedisResultsStore(redis, 3_600);
      const exposure = { experiment: "redelivered", variant: "treatment", userId: "again", atMs: T0 };
      const click = { userId: "again", type: "CLICK", atMs: T0 + 1 };
      for (let i = 0; i < 3; i++) {
        await store.recordExposure(exposure, "CLICK");
        await store.recordInteraction(click, () => "CLICK");
      }
      expect(await store.counts("redelivered", ["control", "treatment"])).toEqual(
        new Map([
          ["control", { users: 0, conversions: 0 }],
          ["treatment", { users: 1, conversions: 1 }],
        ]),
      );
      // An exposure found to be earlier moves the user (and the conversion) to that exposure's variant.
      await store.recordExposure({ ...exposure, variant: "control", atMs: T0 - 5 }, "CLICK");
      expect(await store.counts("redelivered", ["control", "treatment"])).toEqual(
        new Map([
          ["control", { users: 1, conversions: 1 }],
          ["treatment", { users: 0, conversions: 0 }],
        ]),
      );
    } finally {
      redis.disconnect();
    }
  });
});
