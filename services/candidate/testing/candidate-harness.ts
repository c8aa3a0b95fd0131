import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import {
  CandidateServiceClient,
  GenerateRequest,
  StreamGenerateRequest,
  type GenerateResponse,
  type StreamGenerateResponse,
} from "../../../gen/recmesh/candidate/v1/candidate_service.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../../gen/recmesh/events/v1/item_upserted_event.js";
import { EventPublisher } from "../../kit/events/event-publisher.js";
import { EVENTS_STREAM, SUBJECTS, interactionSubject } from "../../kit/events/subjects.js";
import { createClient } from "../../kit/grpc/client-factory.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import { startTestInfrastructure } from "../../kit/testing/test-infrastructure.js";
import { testLogger } from "../../kit/testing/test-logger.js";
import { loadFeatureConfig } from "../../feature/config.js";
import { startFeatureService } from "../../feature/main.js";
import { loadCandidateConfig } from "../config.js";
import { startCandidateService, type CandidateServiceOptions } from "../main.js";

export type CandidateService = Awaited<ReturnType<typeof startCandidateService>>;

/** Polls `probe` until it returns a value; fails after `timeoutMs` (bounded "within a second" checks). */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Real nats-server and redis-server, the feature service and the candidate
 * service on port 0, a publisher for events and a client.
 */
export class CandidateHarness {
  private sequence = 0;

  private constructor(
    readonly infra: Awaited<ReturnType<typeof startTestInfrastructure>>,
    public feature: Awaited<ReturnType<typeof startFeatureService>> | undefined,
    public candidate: CandidateService,
    public client: CandidateServiceClient,
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly publisher: EventPublisher,
    readonly snapshotDir: string,
    private readonly options: CandidateServiceOptions,
  ) {}

  static async start(options: CandidateServiceOptions = {}): Promise<CandidateHarness> {
    const infra = await startTestInfrastructure();
    const feature = await startFeatureService(
      loadFeatureConfig({ NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, RECMESH_FEATURE_PORT: "0", RECMESH_FEATURE_ADMIN_PORT: "0" }),
      { logger: testLogger() },
    );
    const snapshotDir = mkdtempSync(join(tmpdir(), "candidate-service-"));
    const nc = await connect({ servers: infra.natsUrl });
    const opts = { logger: testLogger(), ...options };
    const candidate = await startCandidateService(CandidateHarness.config(infra.natsUrl, feature.grpcPort, snapshotDir), opts);
    return new CandidateHarness(
      infra,
      feature,
      candidate,
      clientFor(candidate),
      nc,
      await jetstreamManager(nc),
      new EventPublisher(jetstream(nc)),
      snapshotDir,
      opts,
    );
  }

  private static config(natsUrl: string, featurePort: number, snapshotDir: string) {
    return loadCandidateConfig({
      NATS_URL: natsUrl,
      RECMESH_CANDIDATE_PORT: "0",
      RECMESH_CANDIDATE_ADMIN_PORT: "0",
      RECMESH_FEATURE_ADDR: `127.0.0.1:${featurePort}`,
      RECMESH_CANDIDATE_SNAPSHOT_DIR: snapshotDir,
      RECMESH_CANDIDATE_SNAPSHOT_INTERVAL_MS: "0",
      RECMESH_CANDIDATE_INSTANCE: "test",
      RECMESH_CANDIDATE_ANN_BUDGET_MS: "2000",
      RECMESH_CANDIDATE_FEATURE_TIMEOUT_MS: "1500",
      RECMESH_CANDIDATE_POPULARITY_BUDGET_MS: "2000",
      RECMESH_CANDIDATE_COVISITATION_BUDGET_MS: "2000",
    });
  }

  /** Stops the candidate service (it saves its snapshot) and starts a new one on the same snapshot directory. */
  async restartCandidate(): Promise<void> {
    this.client.close();
    await this.candidate.stop();
    this.candidate = await startCandidateService(CandidateHarness.config(this.infra.natsUrl, this.feature?.grpcPort ?? 1, this.snapshotDir), this.options);
    this.client = clientFor(this.candidate);
  }

  async stopFeature(): Promise<void> {
    await this.feature?.stop();
    this.feature = undefined;
  }

  async publishItem(itemId: string, category: string, embedding: ArrayLike<number>, available = true): Promise<number> {
    const id = `item-${itemId}-${++this.sequence}`;
    const event = ItemUpsertedEvent.fromPartial({ eventId: id, item: { itemId, category, embedding: Array.from(embedding), available }, occurredAt: new Date() });
    return (await this.publisher.publish(SUBJECTS.itemUpserted, ItemUpsertedEvent, event, { msgId: id, stream: EVENTS_STREAM })).sequence;
  }

  async publishInteraction(userId: string, itemId: string, type = InteractionType.INTERACTION_TYPE_CLICK, at = new Date()): Promise<number> {
    const id = `ix-${userId}-${itemId}-${++this.sequence}`;
    const event = InteractionEvent.fromPartial({ eventId: id, receivedAt: at, interaction: { eventId: id, userId, itemId, type, occurredAt: at } });
    return (await this.publisher.publish(interactionSubject(type), InteractionEvent, event, { msgId: id, stream: EVENTS_STREAM })).sequence;
  }

  generate(request: Partial<GenerateRequest>, timeoutMs = 10_000): Promise<GenerateResponse> {
    return unaryCall(this.client.generate.bind(this.client), GenerateRequest.fromPartial(request), { deadline: Date.now() + timeoutMs });
  }

  /** Every message of a StreamGenerate call, in arrival order. */
  async streamGenerate(request: Partial<GenerateRequest>): Promise<StreamGenerateResponse[]> {
    const call = this.client.streamGenerate(StreamGenerateRequest.fromPartial({ request }), { deadline: Date.now() + 10_000 });
    const out: StreamGenerateResponse[] = [];
    for await (const message of call) out.push(message as StreamGenerateResponse);
    return out;
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.nc.close();
    await this.candidate.stop();
    await this.feature?.stop();
    await this.infra.stop();
    rmSync(this.snapshotDir, { recursive: true, force: true });
  }
}

function clientFor(service: CandidateService): CandidateServiceClient {
  return createClient(CandidateServiceClient, `127.0.0.1:${service.grpcPort}`, { maxMessageBytes: 16 * 1024 * 1024 });
}
