import { Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExperimentServiceClient } from "../../gen/recmesh/experiment/v1/experiment_service.js";
import { createClient } from "../kit/grpc/client-factory.js";
import { checkHealth } from "../kit/grpc/health-client.js";
import { freePort } from "../kit/infra/free-port.js";
import { launchService } from "../kit/testing/launch-service.js";
import { startTestInfrastructure } from "../kit/testing/test-infrastructure.js";
import { until } from "./testing/experiment-harness.js";

const launch = (env: Record<string, string>) => launchService("experiment", env);

let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;

beforeAll(async () => {
  infra = await startTestInfrastructure();
});

afterAll(async () => {
  await infra?.stop();
});

describe("experiment service entry point", () => {
  it("exits 2 at start, naming each bad variable", async () => {
    const run = launch({ RECMESH_EXPERIMENT_PORT: "eighty", NATS_URL: "http://127.0.0.1:1", RECMESH_EXPERIMENT_STALE_AFTER_MS: "-5" });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('RECMESH_EXPERIMENT_PORT: ');
    expect(run.stderr()).toContain('(got "eighty")');
    expect(run.stderr()).toContain("NATS_URL: expected a URL with scheme nats or tls");
    expect(run.stderr()).toContain("RECMESH_EXPERIMENT_STALE_AFTER_MS");
  });

  it("starts as a process, reports SERVING, and on SIGTERM ends open watches and exits 0", async () => {
    const [grpcPort, adminPort] = [await freePort(), await freePort()];
    const run = launch({
      NATS_URL: infra.natsUrl,
      REDIS_URL: infra.redisUrl,
      RECMESH_EXPERIMENT_PORT: String(grpcPort),
      RECMESH_EXPERIMENT_ADMIN_PORT: String(adminPort),
      RECMESH_DRAIN_TIMEOUT_MS: "20000",
    });
    await until(async () => (await checkHealth(`127.0.0.1:${grpcPort}`).catch(() => "DOWN")) === "SERVING", 30_000, "SERVING");
    const client = createClient(ExperimentServiceClient, `127.0.0.1:${grpcPort}`, { maxMessageBytes: 1 << 20 });
    const stream = client.watchExperiments({ includeCurrent: true }, new Metadata());
    let snapshot = false;
    stream.on("data", (m: { snapshotComplete: boolean }) => {
      snapshot ||= m.snapshotComplete;
    });
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      stream.on("error", (err: ServiceError) => resolve(err));
      stream.on("end", () => resolve(undefined));
    });
    await until(() => snapshot, 10_000, "watch snapshot");
    run.child.kill("SIGTERM");
    // The drain timeout is 20 s: exiting 0 with the stream ended cleanly shows the watch was closed, not cut.
    expect(await ended).toBeUndefined();
    expect(await run.exited).toBe(0);
    client.close();
  });
});
