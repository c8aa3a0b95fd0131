import { credentials, Metadata, status, type ServerWritableStream, type ServiceError } from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import {
  ExperimentServiceClient,
  ExperimentServiceService,
  GetExperimentRequest,
  GetExperimentResponse,
  WatchExperimentsRequest,
  type WatchExperimentsResponse,
} from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import type { ServerSettings } from "../config/common-config.js";
import { startKitServer } from "../testing/kit-server.js";
import { testLogger } from "../testing/test-logger.js";
import { createClient } from "./client-factory.js";
import { checkHealth } from "./health-client.js";
import { RpcAdapter } from "./handlers.js";
import { CALLER_HEADER } from "./interceptors/caller-identity.js";
import type { ServiceServer } from "./service-server.js";
import { unaryCall } from "./unary-call.js";

/** Open WatchExperiments streams, held until released. */
const held: ServerWritableStream<WatchExperimentsRequest, WatchExperimentsResponse>[] = [];

function implementation() {
  const rpc = new RpcAdapter("ExperimentService", testLogger(), 5_000);
  return {
    getExperiment: rpc.unary("GetExperiment", async (req: GetExperimentRequest) => GetExperimentResponse.create({ experiment: { name: req.name } })),
    watchExperiments: (call: ServerWritableStream<WatchExperimentsRequest, WatchExperimentsResponse>) => {
      held.push(call);
    },
  };
}

const servers: ServiceServer[] = [];
const clients: ExperimentServiceClient[] = [];

async function serve(overrides: Partial<ServerSettings>) {
  const { server, address, metrics } = await startKitServer([{ definition: ExperimentServiceService, implementation: implementation() }], overrides);
  servers.push(server);
  // The client may send more than the server accepts, so the server's limit is what is tested.
  const client = createClient(ExperimentServiceClient, address, { maxMessageBytes: 8 * 1024 * 1024 });
  clients.push(client);
  return { address, client, metrics };
}

function get(client: ExperimentServiceClient, name: string, metadata?: Metadata): Promise<GetExperimentResponse | ServiceError> {
  return unaryCall(client.getExperiment.bind(client), GetExperimentRequest.create({ name }), { deadline: Date.now() + 10_000, metadata }).catch(
    (err: ServiceError) => err,
  );
}

function caller(name: string): Metadata {
  const m = new Metadata();
  m.set(CALLER_HEADER, name);
  return m;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  for (const call of held) call.end();
  for (const c of clients) c.close();
  for (const s of servers) await s.drain();
});

describe("request size limit", () => {
  it("answers a message over RECMESH_MAX_MESSAGE_BYTES with RESOURCE_EXHAUSTED", async () => {
    const { client } = await serve({ maxMessageBytes: 64 * 1024 });
    expect(await get(client, "x".repeat(60 * 1024))).toMatchObject({ experiment: { name: "x".repeat(60 * 1024) } });
    const refused = await get(client, "x".repeat(100 * 1024));
    expect(refused).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    expect((refused as ServiceError).details).toMatch(/larger than max \(\d+ vs 65536\)/);
  });
});

describe("stream concurrency per connection", () => {
  it("holds calls beyond the limit until a stream ends; one whose deadline passes first fails DEADLINE_EXCEEDED", async () => {
    const { client } = await serve({ maxConcurrentStreams: 2 });
    held.length = 0;
    const streams = [0, 1].map(() => client.watchExperiments(WatchExperimentsRequest.create(), { deadline: Date.now() + 30_000 }));
    for (const s of streams) s.on("error", () => undefined);
    await until(() => held.length === 2, "two streams to start");

    const waiting = client.watchExperiments(WatchExperimentsRequest.create(), { deadline: Date.now() + 300 });
    const waitingError = new Promise<ServiceError>((resolve) => waiting.on("error", resolve));
    expect((await waitingError).code).toBe(status.DEADLINE_EXCEEDED);
    expect(held).toHaveLength(2);

    const third = client.watchExperiments(WatchExperimentsRequest.create(), { deadline: Date.now() + 30_000 });
    const thirdEnded = new Promise<void>((resolve) => third.on("end", resolve).on("data", () => undefined));
    held[0]?.end();
    await until(() => held.length === 3, "the held call to start once a stream ended");
    held[2]?.end();
    await thirdEnded;
    held[1]?.end();
  });
});

describe("open streams per server", () => {
  function watch(client: ExperimentServiceClient) {
    const stream = client.watchExperiments(WatchExperimentsRequest.create(), { deadline: Date.now() + 30_000 });
    const ended = new Promise<ServiceError | "end">((resolve) => stream.on("error", resolve).on("end", () => resolve("end")).on("data", () => undefined));
    return { stream, ended };
  }

  it("refuses a stream beyond RECMESH_MAX_OPEN_STREAMS with RESOURCE_EXHAUSTED naming the limit, across connections, and frees a slot when a stream ends or is cancelled", async () => {
    const { address, client, metrics } = await serve({ maxOpenStreams: 2 });
    const other = new ExperimentServiceClient(address, credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });
    clients.push(other);
    held.length = 0;
    const first = watch(client);
    const second = watch(other);
    await until(() => held.length === 2, "two streams to start");

    const refused = await watch(other).ended;
    expect(refused).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    expect((refused as ServiceError).details).toBe("too many open streams on this server: limit 2 (RECMESH_MAX_OPEN_STREAMS); retry with backoff");
    expect(await get(client, "unary calls are not counted")).toMatchObject({ experiment: { name: "unary calls are not counted" } });
    expect(await metrics.registry.getSingleMetricAsString("recmesh_rpc_streams_refused_total")).toMatch(
      /recmesh_rpc_streams_refused_total\{method="ExperimentService\/WatchExperiments",service="test"\} 1$/m,
    );

    held[0]?.end();
    expect(await first.ended).toBe("end");
    const third = watch(client);
    await until(() => held.length === 3, "a stream to start in the freed slot");

    second.stream.cancel();
    await second.ended;
    const fourth = watch(other);
    await until(() => held.length === 4, "a stream to start in the slot a cancel freed");
    expect(await metrics.registry.getSingleMetricAsString("recmesh_rpc_streams_open")).toMatch(/recmesh_rpc_streams_open\{service="test"\} 2$/m);
    held[2]?.end();
    held[3]?.end();
    await Promise.all([third.ended, fourth.ended]);
  });
});

describe("per-caller rate limit", () => {
  it("refuses a caller over its burst with RESOURCE_EXHAUSTED naming the limit, a retry hint and a metric; health is exempt", async () => {
    const { address, client, metrics } = await serve({ rateLimit: { ratePerSecond: 0.01, burst: 2, trustCallerHeader: false } });
    expect(await get(client, "a")).toMatchObject({ experiment: { name: "a" } });
    expect(await get(client, "b")).toMatchObject({ experiment: { name: "b" } });
    let trailer: Metadata | undefined;
    const refused = await new Promise<ServiceError>((resolve) => {
      const call = client.getExperiment(GetExperimentRequest.create({ name: "c" }), (err) => err && resolve(err));
      call.on("status", (s) => (trailer = s.metadata));
    });
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toBe("rate limit exceeded for peer:127.0.0.1: 0.01 calls/s per caller, burst 2");
    expect(Number(trailer?.get("retry-after-ms")[0])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(await checkHealth(address)).toBe("NOT_SERVING");
    expect(await metrics.registry.getSingleMetricAsString("recmesh_rpc_rate_limited_total")).toMatch(
      /recmesh_rpc_rate_limited_total\{method="ExperimentService\/GetExperiment",service="test"\} 1$/m,
    );
  });

  it("keys by x-recmesh-caller only when told to trust it", async () => {
    const trusted = await serve({ rateLimit: { ratePerSecond: 0.01, burst: 1, trustCallerHeader: true } });
    expect(await get(trusted.client, "a", caller("alice"))).toMatchObject({ experiment: { name: "a" } });
    expect(await get(trusted.client, "a", caller("alice"))).toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: expect.stringContaining("header:alice") });
    expect(await get(trusted.client, "b", caller("bob"))).toMatchObject({ experiment: { name: "b" } });

    const untrusted = await serve({ rateLimit: { ratePerSecond: 0.01, burst: 1, trustCallerHeader: false } });
    expect(await get(untrusted.client, "a", caller("alice"))).toMatchObject({ experiment: { name: "a" } });
    expect(await get(untrusted.client, "b", caller("bob"))).toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: expect.stringContaining("peer:127.0.0.1") });
  });
});
