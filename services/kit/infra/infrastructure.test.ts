import { connect as connectTcp } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ensureBinaries, findBinary, MissingBinaryError } from "./binaries.js";
import { startInfrastructure } from "./infrastructure.js";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("local infrastructure launcher", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-infra-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("finds the installed server binaries", () => {
    expect(findBinary("nats-server")).toMatch(/nats-server$/);
    expect(findBinary("redis-server")).toMatch(/redis-server$/);
    expect(findBinary("surely-not-a-binary-recmesh")).toBeUndefined();
  });

  it("stops with a message saying what to install when a server is missing and cannot be installed", () => {
    const noTools = { PATH: "/nonexistent", RECMESH_BIN_DIRS: "" };
    expect(() => ensureBinaries(["nats-server", "redis-server"], () => undefined, noTools)).toThrow(MissingBinaryError);
    expect(() => ensureBinaries(["nats-server"], () => undefined, noTools)).toThrow(
      /nats-server not found\. Install nats-server .*apt-get install -y nats-server.*NATS_URL/,
    );
  });

  it("starts real nats-server (JetStream) and redis-server on loopback, then stops them", async () => {
    const infra = await startInfrastructure({ dataDir });
    try {
      expect(infra.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(infra.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      const nc = await connect({ servers: infra.natsUrl });
      const account = await (await jetstreamManager(nc)).getAccountInfo();
      expect(account.limits).toBeDefined();
      await nc.close();
      const redis = new Redis(infra.redisUrl, { lazyConnect: true });
      await redis.connect();
      expect(await redis.ping()).toBe("PONG");
      redis.disconnect();
    } finally {
      await infra.stop();
    }
    expect(infra.nats?.process.running).toBe(false);
    expect(infra.redis?.process.running).toBe(false);
    expect(await portOpen(infra.nats?.port ?? 0)).toBe(false);
    expect(await portOpen(infra.redis?.port ?? 0)).toBe(false);
  });

  it("restarts a killed server on the same port with its JetStream store intact", async () => {
    const infra = await startInfrastructure({ dataDir: join(dataDir, "restart") });
    try {
      let nc = await connect({ servers: infra.natsUrl });
      await (await jetstreamManager(nc)).streams.add({ name: "KEEP", subjects: ["keep.>"] });
      await nc.close();
      await infra.nats?.process.kill();
      await infra.nats?.restart();
      nc = await connect({ servers: infra.natsUrl });
      expect((await (await jetstreamManager(nc)).streams.info("KEEP")).config.name).toBe("KEEP");
      await nc.close();
    } finally {
      await infra.stop();
    }
  });

  it("uses servers given by URL instead of starting its own", async () => {
    const infra = await startInfrastructure({ dataDir, natsUrl: "nats://127.0.0.1:1", redisUrl: "redis://127.0.0.1:2" });
    expect(infra.nats).toBeUndefined();
    expect(infra.redis).toBeUndefined();
    expect(infra.natsUrl).toBe("nats://127.0.0.1:1");
    await infra.stop();
  });
});
