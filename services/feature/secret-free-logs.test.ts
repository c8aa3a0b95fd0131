import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "../kit/grpc/health-client.js";
import { createTestCertificates, type TestCertificates } from "../kit/testing/test-certificates.js";
import { startTestInfrastructure } from "../kit/testing/test-infrastructure.js";
import { tlsFromEnv } from "../kit/testing/tls-settings.js";
import { loadFeatureConfig } from "./config.js";
import { startFeatureService } from "./main.js";

const NATS_PASSWORD = "nats-secret-7Qx9";
const REDIS_PASSWORD = "redis-secret-3Kp2";

let certs: TestCertificates;
let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;

beforeAll(async () => {
  certs = createTestCertificates();
  infra = await startTestInfrastructure({
    natsArgs: ["--tls", "--tlscert", certs.server.cert, "--tlskey", certs.server.key, "--user", "feature", "--pass", NATS_PASSWORD],
    redisArgs: ["--requirepass", REDIS_PASSWORD],
  });
});

afterAll(async () => {
  await infra?.stop();
  certs?.remove();
});

describe("feature service with every secret configured", () => {
  it("starts over mTLS, TLS NATS with a password and Redis AUTH, and logs none of the secrets", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // A logger without redaction: the secrets must never reach it at all.
    const logger = pino({ level: "trace" }, sink);
    const env = {
      NATS_URL: infra.natsUrl.replace("nats://", "tls://"),
      NATS_USER: "feature",
      NATS_PASSWORD,
      RECMESH_NATS_TLS_CA: certs.ca,
      REDIS_URL: infra.redisUrl,
      REDIS_PASSWORD,
      RECMESH_TLS_CERT: certs.server.cert,
      RECMESH_TLS_KEY: certs.server.key,
      RECMESH_TLS_CA: certs.ca,
      RECMESH_TLS_CLIENT_AUTH: "require",
      RECMESH_FEATURE_PORT: "0",
      RECMESH_FEATURE_ADMIN_PORT: "0",
    };
    const config = loadFeatureConfig(env);
    logger.info({ config }, "configuration");
    const service = await startFeatureService(config, { logger });
    try {
      const client = tlsFromEnv({ RECMESH_TLS_CA: certs.ca, RECMESH_TLS_CERT: certs.client.cert, RECMESH_TLS_KEY: certs.client.key }, false);
      expect(await checkHealth(`127.0.0.1:${service.grpcPort}`, "", client)).toBe("SERVING");
    } finally {
      await service.stop();
    }

    const log = lines.join("");
    expect(log).toContain('"msg":"connected to NATS"');
    expect(log).toContain('"auth":"user"');
    expect(log).toContain('"msg":"connected to Redis"');
    expect(log).toContain('"transport":"mtls"');
    const keyBody = readFileSync(certs.server.key, "utf8").split("\n")[1] ?? "";
    expect(keyBody.length).toBeGreaterThan(40);
    for (const secret of [NATS_PASSWORD, REDIS_PASSWORD, "PRIVATE KEY", keyBody]) expect(log).not.toContain(secret);
  });
});
