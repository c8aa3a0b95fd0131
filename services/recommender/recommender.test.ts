import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Interaction, InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { ExposureEvent } from "../../gen/recmesh/events/v1/exposure_event.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import {
  DegradedComponent,
  RecommendRequest,
  RecommenderServiceClient,
  TrackRequest,
  TrackStreamResponse,
  type TrackStreamRequest,
} from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { EventPublisher } from "../kit/events/event-publisher.js";
import { EVENTS_STREAM, SUBJECTS } from "../kit/events/subjects.js";
import { unaryCall } from "../kit/grpc/unary-call.js";
import { freePort } from "../kit/infra/free-port.js";
import type { Infrastructure } from "../kit/infra/infrastructure.js";
import { startTestInfrastructure } from "../kit/testing/test-infrastructure.js";
import { testLogger } from "../kit/testing/test-logger.js";
import { exposuresOf, publishExposure, type PendingExposure } from "./adapters/exposure-logger.js";
import { loadRecommenderConfig } from "./config.js";
import { startRecommenderService } from "./main.js";
import { RetryingQueue } from "./tracking/retrying-queue.js";

const HOUR = 3_600_000;

describe("recommender service over real NATS, with every dependency down", () => {
  let infra: Infrastructure;
  let service: Awaited<ReturnType<typeof startRecommenderService>>;
  let client: RecommenderServiceClient;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    const dead = `127.0.0.1:${await freePort()}`;
    service = await startRecommenderService(
      loadRecommenderConfig({
        NATS_URL: infra.natsUrl,
        RECMESH_RECOMMENDER_PORT: "0",
        RECMESH_RECOMMENDER_ADMIN_PORT: "0",
        RECMESH_EXPERIMENT_ADDR: dead,
        RECMESH_FEATURE_ADDR: dead,
        RECMESH_CANDIDATE_ADDR: dead,
        RECMESH_RANKING_ADDR: dead,
        RECMESH_RECOMMENDER_MAX_CONCURRENCY: "4",
      }),
      { logger: testLogger() },
    );
    client = new RecommenderServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
    nc = await connect({ servers: infra.natsUrl });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    client.close();
    await nc.close();
    await service.stop();
    await infra.stop();
  });

  const recommend = (req: Partial<RecommendRequest>, deadlineMs = 2_000) =>
    unaryCall(client.recommend.bind(client), RecommendRequest.fromPartial({ userId: "u1", count: 10, surface: "home", ...req }), {
      deadline: Date.now() + deadlineMs,
    });
  const track = (interaction: Partial<Interaction>) =>
    unaryCall(client.track.bind(client), TrackRequest.fromPartial({ interaction }), { deadline: Date.now() + 2_000 });
  const statusOf = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as ServiceError);
  const interactionsStored = async () => (await jsm.streams.info(EVENTS_STREAM, { subjects_filter: "recmesh.events.interaction.>" })).state.messages;

  it("answers Recommend degraded instead of failing when every dependency is down", async () => {
    const res = await recommend({ explain: true });
    expect(res.items).toEqual([]);
    expect(res.degraded).toEqual(
      expect.arrayContaining([DegradedComponent.DEGRADED_COMPONENT_EXPERIMENT, DegradedComponent.DEGRADED_COMPONENT_FEATURES, DegradedComponent.DEGRADED_COMPONENT_CANDIDATES]),
    );
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.explanation?.stages.map((s) => s.stage)).toContain("CandidateGeneration");
  });

  it.each([
    [{ userId: "" }, "user_id: is required"],
    [{ count: 0 }, "count: must be between 1 and 100, got 0"],
    [{ count: 101 }, "count: must be between 1 and 100, got 101"],
    [{ surface: "nowhere" }, 'surface: unknown surface "nowhere"'],
  ])("rejects %o with INVALID_ARGUMENT naming the field", async (req, message) => {
    const err = await statusOf(recommend(req));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain(message);
  });

  it("refuses a request with too little deadline left with DEADLINE_EXCEEDED", async () => {
    const err = await statusOf(recommend({}, 3));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
  });

  it("stores a tracked interaction in JetStream before acknowledging it, once per event id", async () => {
    const before = await interactionsStored();
    const interaction = { eventId: "click-1", userId: "u1", itemId: "i9", type: InteractionType.INTERACTION_TYPE_CLICK, occurredAt: new Date() };
    const first = await track(interaction);
    const retry = await track(interaction);
    expect(first.eventId).toBe("click-1");
    expect(retry).toEqual({ ...first, duplicate: true });
    expect(await interactionsStored()).toBe(before + 1);
    const stored = await jsm.streams.getMessage(EVENTS_STREAM, { seq: Number(first.sequence) });
    const event = InteractionEvent.decode(stored?.data ?? new Uint8Array());
    expect(event.interaction).toMatchObject({ userId: "u1", itemId: "i9", type: InteractionType.INTERACTION_TYPE_CLICK });
    expect(stored?.subject).toBe("recmesh.events.interaction.click");
  });

  it.each([
    [{ userId: "u1", itemId: "i1", type: InteractionType.INTERACTION_TYPE_UNSPECIFIED }, "interaction.type"],
    [{ userId: "u1", itemId: "", type: InteractionType.INTERACTION_TYPE_VIEW }, "interaction.item_id: is required"],
    [{ userId: "u1", itemId: "i1", type: InteractionType.INTERACTION_TYPE_VIEW, occurredAt: new Date(Date.now() + 2 * HOUR) }, "interaction.occurred_at"],
  ])("rejects a malformed interaction %o and publishes nothing", async (interaction, field) => {
    const before = await interactionsStored();
    const err = await statusOf(track(interaction));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain(field);
    expect(await interactionsStored()).toBe(before);
  });

  it("TrackStream stores valid interactions, reports bad ones by index, and answers after all are stored", async () => {
    const before = await interactionsStored();
    const summary = await new Promise<TrackStreamResponse>((resolve, reject) => {
      const stream = client.trackStream((err, res) => (err ? reject(err) : resolve(res)));
      for (let b = 0; b < 5; b++) {
        const interactions: TrackStreamRequest["interactions"] = [];
        for (let i = 0; i < 200; i++) {
          const n = b * 200 + i;
          interactions.push(
            Interaction.fromPartial({ eventId: `bulk-${n}`, userId: `u${n % 7}`, itemId: n === 555 ? "" : `i${n % 50}`, type: InteractionType.INTERACTION_TYPE_VIEW }),
          );
        }
        stream.write({ interactions });
      }
      stream.end();
    });
    expect(summary).toMatchObject({ accepted: "999", rejected: "1", duplicates: "0" });
    expect(summary.errors).toEqual([{ index: "555", error: { code: status.INVALID_ARGUMENT, message: "interactions[555].item_id: is required", field: "interactions[555].item_id" } }]);
    expect(await interactionsStored()).toBe(before + 999);
  });

  it("stores one exposure per (request, experiment) used, however often it is published, and none for a forced assignment", async () => {
    const exposuresStored = async () => (await jsm.streams.info(EVENTS_STREAM, { subjects_filter: SUBJECTS.exposure })).state.messages;
    const before = await exposuresStored();
    const r = {
      requestId: "dedupe-req",
      userId: "u1",
      surface: "home",
      items: [{ itemId: "i1", retrievalScore: 1, sources: ["popularity"], category: "c", score: 0.9 }],
      assignments: [
        { experiment: "qa-only", variant: "b", layer: "", params: {}, forced: true, bucket: 0 },
        { experiment: "ranker", variant: "b", layer: "", params: {}, forced: false, bucket: 0.4 },
      ],
      degraded: [],
      stages: [],
      sources: [],
      featuresUsed: [],
      ranked: [],
    };
    const publish = publishExposure(new EventPublisher(jetstream(nc)));
    for (let attempt = 0; attempt < 3; attempt++) for (const e of exposuresOf(r, new Date())) await publish(e);
    expect(await exposuresStored()).toBe(before + 1);
    const last = await jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: SUBJECTS.exposure });
    expect(last?.header?.get("Nats-Msg-Id")).toBe("exposure:dedupe-req:ranker");
    expect(ExposureEvent.decode(last?.data ?? new Uint8Array()).assignment).toMatchObject({ experiment: "ranker", variant: "b" });
  });

  it("keeps exposures through a NATS outage and delivers every one after it", async () => {
    const exposures = (await jsm.streams.info(EVENTS_STREAM, { subjects_filter: SUBJECTS.exposure })).state.messages;
    const queue = new RetryingQueue<PendingExposure>(publishExposure(new EventPublisher(jetstream(nc))), {
      capacity: 1000,
      concurrency: 8,
      initialRetryMs: 50,
      maxRetryMs: 500,
    });
    await infra.nats?.process.kill();
    for (let i = 0; i < 50; i++) {
      queue.enqueue({ msgId: `exposure:outage-${i}:`, event: ExposureEvent.fromPartial({ requestId: `outage-${i}`, userId: "u1", itemIds: ["a"] }) });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(queue.pending).toBe(50);
    await infra.nats?.restart();
    expect(await queue.drain(20_000)).toBe(0);
    jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(EVENTS_STREAM, { subjects_filter: SUBJECTS.exposure })).state.messages).toBe(exposures + 50);
  });
});
