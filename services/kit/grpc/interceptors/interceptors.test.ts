import { Writable } from "node:stream";
import { status, type ServiceError } from "@grpc/grpc-js";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ExperimentServiceClient,
  ExperimentServiceService,
  GetExperimentRequest,
  GetExperimentResponse,
} from "../../../../gen/recmesh/experiment/v1/experiment_service.js";
import { InvalidArgumentError, NotFoundError, UnavailableError } from "../../errors/errors.js";
import { ServiceMetrics } from "../../telemetry/metrics.js";
import { testServerSettings } from "../../testing/kit-server.js";
import { createClient } from "../client-factory.js";
import { RpcAdapter } from "../handlers.js";
import { ServiceServer } from "../service-server.js";
import { unaryCall } from "../unary-call.js";

/** Every line the server logs, parsed. */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

/** GetExperiment answers by name: "missing" → NOT_FOUND, "bad" → INVALID_ARGUMENT, "down" → UNAVAILABLE, "boom" → a bug. */
function implementation() {
  const rpc = new RpcAdapter("ExperimentService", pino({ level: "silent" }), 5_000);
  return {
    getExperiment: rpc.unary("GetExperiment", async (req: GetExperimentRequest) => {
      if (req.name === "missing") throw new NotFoundError("experiment missing does not exist");
      if (req.name === "bad") throw new InvalidArgumentError("name", "must not be bad");
      if (req.name === "down") throw new UnavailableError("the KV bucket is unreachable");
      if (req.name === "boom") throw new Error("secret stack detail");
      return GetExperimentResponse.create({ experiment: { name: req.name } });
    }),
    watchExperiments: () => undefined,
  };
}

const metrics = new ServiceMetrics("test");
const server = new ServiceServer({
  settings: testServerSettings(),
  logger: pino({ level: "debug" }, sink),
  metrics,
  services: [{ definition: ExperimentServiceService, implementation: implementation() }],
});
let client: ExperimentServiceClient;

function get(name: string): Promise<GetExperimentResponse | ServiceError> {
  return unaryCall(client.getExperiment.bind(client), GetExperimentRequest.create({ name }), { deadline: Date.now() + 5_000 }).catch(
    (err: ServiceError) => err,
  );
}

beforeAll(async () => {
  const { grpcPort } = await server.listen();
  client = createClient(ExperimentServiceClient, `127.0.0.1:${grpcPort}`, { maxMessageBytes: 4 * 1024 * 1024 });
  for (const name of ["a", "b", "missing", "bad", "down", "boom"]) await get(name);
});

afterAll(async () => {
  client.close();
  await server.drain();
});

/** The value of one sample of a metric with exactly these labels (besides the default service label). */
async function sample(metric: "rpcRequests" | "rpcDuration" | "rpcInFlight", labels: Record<string, string>, metricName?: string): Promise<number | undefined> {
  const { values } = await metrics[metric].get();
  const found = values.find(
    (v) => (metricName === undefined || (v as { metricName?: string }).metricName === metricName) && Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return found?.value;
}

const METHOD = "ExperimentService/GetExperiment";

describe("RED metrics interceptor", () => {
  it("counts every finished call by method and status code", async () => {
    for (const [code, n] of [["OK", 2], ["NOT_FOUND", 1], ["INVALID_ARGUMENT", 1], ["UNAVAILABLE", 1], ["INTERNAL", 1]] as const) {
      expect(await sample("rpcRequests", { method: METHOD, code }), code).toBe(n);
    }
  });

  it("observes durations per method and code, and leaves nothing in flight", async () => {
    expect(await sample("rpcDuration", { method: METHOD, code: "OK" }, "recmesh_rpc_server_duration_seconds_count")).toBe(2);
    expect(await sample("rpcDuration", { method: METHOD, code: "OK" }, "recmesh_rpc_server_duration_seconds_sum")).toBeGreaterThan(0);
    expect(await sample("rpcInFlight", { method: METHOD })).toBe(0);
  });
});

describe("logging interceptor", () => {
  const rpcLines = () => lines.filter((l) => l.msg === "rpc" && l.method === "ExperimentService/GetExperiment");
  const levelOf = (code: string) => rpcLines().filter((l) => l.code === code).map((l) => l.level);

  it("logs one line per finished call with method, code, duration and peer", () => {
    expect(rpcLines()).toHaveLength(6);
    for (const line of rpcLines()) {
      expect(typeof line.ms).toBe("number");
      expect(line.peer).toMatch(/^(ipv4:)?127\.0\.0\.1:\d+$/);
    }
  });

  it("puts success at debug, caller mistakes at info, dependency failures at warn and bugs at error", () => {
    expect(levelOf("OK")).toEqual([20, 20]);
    expect(levelOf("NOT_FOUND")).toEqual([30]);
    expect(levelOf("INVALID_ARGUMENT")).toEqual([30]);
    expect(levelOf("UNAVAILABLE")).toEqual([40]);
    expect(levelOf("INTERNAL")).toEqual([50]);
  });

  it("logs the status details the caller saw, never the cause of an internal error", () => {
    expect(rpcLines().find((l) => l.code === "INVALID_ARGUMENT")?.details).toBe("name: must not be bad");
    expect(rpcLines().find((l) => l.code === "INTERNAL")?.details).toBe("internal error");
    expect(JSON.stringify(lines)).not.toContain("secret stack detail");
  });
});
