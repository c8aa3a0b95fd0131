import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "../kit/grpc/health-client.js";
import { freePort } from "../kit/infra/free-port.js";
import { launchService } from "../kit/testing/launch-service.js";
import { startTestInfrastructure } from "../kit/testing/test-infrastructure.js";
import { until } from "./testing/feature-harness.js";

const launch = (env: Record<string, string>) => launchService("feature", env);

let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;

beforeAll(async () => {
  infra = await startTestInfrastructure();
});

afterAll(async () => {
  await infra?.stop();
});

describe("feature service entry point", () => {
  it("exits non-zero at start, naming each bad variable", async () => {
    const run = launch({ RECMESH_FEATURE_PORT: "eighty", REDIS_URL: "http://127.0.0.1:1", RECMESH_FEATURE_STREAM_MAX_ENTITIES: "-5" });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('RECMESH_FEATURE_PORT: ');
    expect(run.stderr()).toContain('(got "eighty")');
    expect(run.stderr()).toContain("REDIS_URL: expected a URL with scheme redis or rediss");
    expect(run.stderr()).toContain("RECMESH_FEATURE_STREAM_MAX_ENTITIES");
  });

  it("starts as a process, reports SERVING, and drains on SIGTERM", async () => {
    const [grpcPort, adminPort] = [await freePort(), await freePort()];
    const run = launch({
      NATS_URL: infra.natsUrl,
      REDIS_URL: infra.redisUrl,
      RECMESH_FEATURE_PORT: String(grpcPort),
      RECMESH_FEATURE_ADMIN_PORT: String(adminPort),
    });
    await until(async () => (await checkHealth(`127.0.0.1:${grpcPort}`).catch(() => "DOWN")) === "SERVING", 30_000, "SERVING");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
});
