import { Client, credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ExperimentServiceClient,
  ExperimentServiceService,
  GetExperimentRequest,
  GetExperimentResponse,
  ListExperimentsRequest,
  WatchExperimentsResponse,
  type ExperimentServiceServer,
} from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import { InvalidArgumentError, NotFoundError } from "../errors/errors.js";
import { checkHealth, watchHealth } from "./health-client.js";
import { startKitServer } from "../testing/kit-server.js";
import { testLogger } from "../testing/test-logger.js";
import { RpcAdapter } from "./handlers.js";
import type { ServiceServer } from "./service-server.js";
import { unaryCall } from "./unary-call.js";

let holdStarted: () => void = () => undefined;

function implementation(): ExperimentServiceServer {
  const rpc = new RpcAdapter("ExperimentService", testLogger(), 5_000);
  return {
    putExperiment: undefined as never,
    listExperiments: undefined as never,
    deleteExperiment: undefined as never,
    assign: undefined as never,
    getResults: undefined as never,
    getExperiment: rpc.unary("GetExperiment", async (req: GetExperimentRequest, call) => {
      switch (req.name) {
        case "missing":
          throw new NotFoundError("experiment missing not found");
        case "bad":
          throw new InvalidArgumentError("name", "must not be bad");
        case "boom":
          throw new Error("secret database password in a stack trace");
        case "hold":
          holdStarted();
          await new Promise((resolve) => setTimeout(resolve, 200));
          return GetExperimentResponse.create({ revision: "8" });
        case "slow":
          await new Promise((resolve) => call.signal.addEventListener("abort", resolve));
          return GetExperimentResponse.create();
        default:
          return GetExperimentResponse.create({ revision: "7", experiment: { name: req.name } });
      }
    }),
    watchExperiments: rpc.serverStream("WatchExperiments", async function* () {
      for (let i = 1; i <= 3; i++) yield WatchExperimentsResponse.create({ revision: String(i) });
      throw new NotFoundError("stream ended on purpose");
    }),
  };
}

describe("ServiceServer", () => {
  let server: ServiceServer;
  let address: string;
  let client: ExperimentServiceClient;

  const get = (name: string, deadline = Date.now() + 5_000) =>
    unaryCall(client.getExperiment.bind(client), GetExperimentRequest.create({ name }), { deadline });

  beforeAll(async () => {
    ({ server, address } = await startKitServer([{ definition: ExperimentServiceService, implementation: implementation() }], {
      minDeadlineMs: 50,
    }));
    client = new ExperimentServiceClient(address, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.drain();
  });

  it("reports NOT_SERVING until marked ready, then SERVING", async () => {
    expect(await checkHealth(address)).toBe("NOT_SERVING");
    expect(await checkHealth(address, "recmesh.experiment.v1.ExperimentService")).toBe("NOT_SERVING");
    server.markServing();
    expect(await checkHealth(address)).toBe("SERVING");
    expect(await checkHealth(address, "recmesh.experiment.v1.ExperimentService")).toBe("SERVING");
  });

  it("answers a good call", async () => {
    const res = await get("ok");
    expect(res.revision).toBe("7");
    expect(res.experiment?.name).toBe("ok");
  });

  it.each([
    ["missing", status.NOT_FOUND, "experiment missing not found"],
    ["bad", status.INVALID_ARGUMENT, "name: must not be bad"],
    ["boom", status.INTERNAL, "internal error"],
  ])("maps %s to its status code without leaking internals", async (name, code, details) => {
    const err = (await get(name).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(code);
    expect(err.details).toBe(details);
  });

  it("ends a call that outlives its deadline with DEADLINE_EXCEEDED", async () => {
    const err = (await get("slow", Date.now() + 300).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
  });

  it("refuses a call whose deadline is below the minimum before running the handler", async () => {
    const err = (await get("ok", Date.now() + 20).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(err.details).toMatch(/below the 50 ms minimum/);
  });

  it("returns UNIMPLEMENTED for a method the service does not implement", async () => {
    const err = (await unaryCall(client.listExperiments.bind(client), ListExperimentsRequest.create(), { deadline: Date.now() + 2_000 }).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(err.code).toBe(status.UNIMPLEMENTED);
  });

  it("refuses bytes that are not a protobuf message with INVALID_ARGUMENT and the decoder's reason, unary and streaming", async () => {
    const raw = new Client(address, credentials.createInsecure());
    const garbage = Buffer.alloc(16, 0xff);
    const identity = (b: Buffer) => b;
    const unary = await new Promise<ServiceError | null>((resolve) =>
      raw.makeUnaryRequest("/recmesh.experiment.v1.ExperimentService/GetExperiment", identity, identity, garbage, (err) => resolve(err)),
    );
    const streamed = await new Promise<ServiceError>((resolve) => {
      const call = raw.makeServerStreamRequest("/recmesh.experiment.v1.ExperimentService/WatchExperiments", identity, identity, garbage);
      call.on("data", () => undefined);
      call.on("error", resolve);
    });
    raw.close();
    for (const err of [unary, streamed]) {
      expect(err?.code).toBe(status.INVALID_ARGUMENT);
      expect(err?.details).toMatch(/^request: not a valid protobuf encoding of the request message \(.+\)$/);
    }
  });

  it("streams messages and then the mapped error status", async () => {
    const received: string[] = [];
    const stream = client.watchExperiments({ includeCurrent: true }, new Metadata());
    const err = await new Promise<ServiceError>((resolve) => {
      stream.on("data", (m: WatchExperimentsResponse) => received.push(m.revision));
      stream.on("error", resolve);
    });
    expect(received).toEqual(["1", "2", "3"]);
    expect(err.code).toBe(status.NOT_FOUND);
  });

  it("goes NOT_SERVING while draining and lets an in-flight call finish", async () => {
    const started = new Promise<void>((resolve) => {
      holdStarted = resolve;
    });
    const watch = watchHealth(address);
    expect(await watch.next()).toBe("SERVING");
    const inFlight = get("hold");
    await started;
    const draining = server.drain();
    expect(await watch.next()).toBe("NOT_SERVING");
    watch.stop();
    await expect(inFlight).resolves.toMatchObject({ revision: "8" });
    await draining;
    await expect(checkHealth(address)).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});

describe("ServiceServer drain past its timeout", () => {
  it("forces the shutdown, ending a call that would never finish, and resolves", async () => {
    const { server, address } = await startKitServer([{ definition: ExperimentServiceService, implementation: implementation() }], { drainTimeoutMs: 200 });
    server.markServing();
    const client = new ExperimentServiceClient(address, credentials.createInsecure());
    const stuck = unaryCall(client.getExperiment.bind(client), GetExperimentRequest.create({ name: "slow" }), { deadline: Date.now() + 60_000 }).catch(
      (e: unknown) => e as ServiceError,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.drain();
    const err = await stuck;
    expect([status.UNAVAILABLE, status.CANCELLED]).toContain((err as ServiceError).code);
    client.close();
  });
});
