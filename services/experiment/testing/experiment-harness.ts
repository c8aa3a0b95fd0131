import { Metadata, type ServiceError } from "@grpc/grpc-js";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ExperimentStatus, Experiment, ConditionOperator } from "../../../gen/recmesh/experiment/v1/experiment.js";
import {
  ExperimentServiceClient,
  type AssignResponse,
  type GetResultsResponse,
  type PutExperimentResponse,
  type WatchExperimentsResponse,
} from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import { EventPublisher } from "../../kit/events/event-publisher.js";
import { createClient } from "../../kit/grpc/client-factory.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import { startTestInfrastructure } from "../../kit/testing/test-infrastructure.js";
import { testLogger } from "../../kit/testing/test-logger.js";
import { loadExperimentConfig } from "../config.js";
import { startExperimentService } from "../main.js";

export type Infra = Awaited<ReturnType<typeof startTestInfrastructure>>;
export type ExperimentService = Awaited<ReturnType<typeof startExperimentService>>;
export { ConditionOperator, ExperimentStatus };

const CALL_MS = 10_000;

/** Polls `check` until it holds; fails after `timeoutMs`. Bounded, for "within a second" style checks. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The gRPC status of a call that must fail. */
export async function statusOf(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error("call succeeded");
}

/** A running 50/50 experiment with everything else at its default; override what a test is about. */
export function experiment(name: string, overrides: Partial<Experiment> = {}): Experiment {
  return Experiment.fromPartial({
    name,
    variants: [
      { name: "control", weight: 0.5, params: { ranking_model: "baseline" } },
      { name: "treatment", weight: 0.5, params: { ranking_model: "ctr-mlp" } },
    ],
    controlVariant: "control",
    coverage: 1,
    status: ExperimentStatus.EXPERIMENT_STATUS_RUNNING,
    ...overrides,
  });
}

/** One experiment service instance with a client. */
export class Instance {
  readonly client: ExperimentServiceClient;

  constructor(readonly service: ExperimentService) {
    this.client = createClient(ExperimentServiceClient, `127.0.0.1:${service.grpcPort}`, { maxMessageBytes: 16 * 1024 * 1024 });
  }

  assign(userId: string, attributes: Record<string, string> = {}, experiments: string[] = []): Promise<AssignResponse> {
    return unaryCall(this.client.assign.bind(this.client), { userId, context: { attributes }, experiments }, { deadline: Date.now() + CALL_MS });
  }

  put(e: Experiment, expectedRevision: number | string = 0): Promise<PutExperimentResponse> {
    return unaryCall(this.client.putExperiment.bind(this.client), { experiment: e, expectedRevision: String(expectedRevision) }, { deadline: Date.now() + CALL_MS });
  }

  /** Assign for many users, 100 calls in flight at a time; answers in input order. */
  async assignMany(userIds: string[], experiments: string[] = []): Promise<AssignResponse[]> {
    const out: AssignResponse[] = [];
    for (let i = 0; i < userIds.length; i += 100) {
      out.push(...(await Promise.all(userIds.slice(i, i + 100).map((u) => this.assign(u, {}, experiments)))));
    }
    return out;
  }

  get(name: string) {
    return unaryCall(this.client.getExperiment.bind(this.client), { name }, { deadline: Date.now() + CALL_MS });
  }

  list(status = ExperimentStatus.EXPERIMENT_STATUS_UNSPECIFIED, pageSize = 0, pageToken = "") {
    return unaryCall(this.client.listExperiments.bind(this.client), { status, pageSize, pageToken }, { deadline: Date.now() + CALL_MS });
  }

  delete(name: string) {
    return unaryCall(this.client.deleteExperiment.bind(this.client), { name }, { deadline: Date.now() + CALL_MS });
  }

  results(name: string): Promise<GetResultsResponse> {
    return unaryCall(this.client.getResults.bind(this.client), { name }, { deadline: Date.now() + CALL_MS });
  }

  /** Opens WatchExperiments and collects what arrives. */
  watch(includeCurrent: boolean): { received: WatchExperimentsResponse[]; ended: Promise<ServiceError | undefined>; cancel: () => void } {
    const stream = this.client.watchExperiments({ includeCurrent }, new Metadata());
    const received: WatchExperimentsResponse[] = [];
    stream.on("data", (m: WatchExperimentsResponse) => received.push(m));
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      stream.on("error", (err: ServiceError) => resolve(err));
      stream.on("end", () => resolve(undefined));
    });
    return { received, ended, cancel: () => stream.cancel() };
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.service.stop();
  }
}

/**
 * Real nats-server and redis-server for one test file, experiment service
 * instances on port 0, and a NATS connection to publish events with.
 */
export class ExperimentHarness {
  readonly instances: Instance[] = [];

  private constructor(
    readonly infra: Infra,
    readonly nc: NatsConnection,
    readonly publisher: EventPublisher,
  ) {}

  static async start(): Promise<ExperimentHarness> {
    const infra = await startTestInfrastructure();
    const nc = await connect({ servers: infra.natsUrl });
    return new ExperimentHarness(infra, nc, new EventPublisher(jetstream(nc)));
  }

  /** Starts one more instance; `env` overrides the test defaults. */
  async startInstance(env: Record<string, string> = {}, clock?: () => number): Promise<Instance> {
    const config = loadExperimentConfig({
      NATS_URL: this.infra.natsUrl,
      REDIS_URL: this.infra.redisUrl,
      RECMESH_EXPERIMENT_PORT: "0",
      RECMESH_EXPERIMENT_ADMIN_PORT: "0",
      RECMESH_DRAIN_TIMEOUT_MS: "2000",
      RECMESH_EVENT_RETENTION_DAYS: "1",
      ...env,
    });
    const instance = new Instance(await startExperimentService(config, clock ? { logger: testLogger(), clock } : { logger: testLogger() }));
    this.instances.push(instance);
    return instance;
  }

  async stop(): Promise<void> {
    for (const i of this.instances.splice(0)) await i.stop();
    await this.nc.close();
    await this.infra.stop();
  }
}
