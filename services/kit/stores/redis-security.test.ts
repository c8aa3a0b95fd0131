import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisConfigShape } from "../config/common-config.js";
import { loadConfig } from "../config/load-config.js";
import { redisSettings } from "../config/redis-config.js";
import { freePort } from "../infra/free-port.js";
import { createTestCertificates, type TestCertificates } from "../testing/test-certificates.js";
import { startTestInfrastructure } from "../testing/test-infrastructure.js";
import { testLogger } from "../testing/test-logger.js";
import { connectRedis, type Redis } from "./redis-connection.js";

const load = (env: Record<string, string>) => redisSettings(loadConfig(z.object(redisConfigShape), env));
const PASSWORD = "redis-pw-456";

let certs: TestCertificates;
let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;
let tlsPort: number;
const open: Redis[] = [];

async function connected(env: Record<string, string>): Promise<Redis> {
  const redis = await connectRedis(load(env), "redis-security-test", testLogger());
  open.push(redis);
  return redis;
}

beforeAll(async () => {
  certs = createTestCertificates();
  tlsPort = await freePort();
  infra = await startTestInfrastructure({
    redisArgs: [
      "--requirepass", PASSWORD,
      "--tls-port", String(tlsPort),
      "--tls-cert-file", certs.server.cert,
      "--tls-key-file", certs.server.key,
      "--tls-ca-cert-file", certs.ca,
      "--tls-auth-clients", "optional",
    ],
  });
});

afterAll(async () => {
  for (const r of open) r.disconnect();
  await infra?.stop();
  certs?.remove();
});

describe("Redis AUTH and TLS through connectRedis", () => {
  it("authenticates with REDIS_PASSWORD", async () => {
    const redis = await connected({ REDIS_URL: infra.redisUrl, REDIS_PASSWORD: PASSWORD });
    expect(await redis.ping()).toBe("PONG");
  });

  it("authenticates with the password in the URL", async () => {
    const redis = await connected({ REDIS_URL: infra.redisUrl.replace("redis://", `redis://:${PASSWORD}@`) });
    expect(await redis.ping()).toBe("PONG");
  });

  it("is refused without the password, or with a wrong one", async () => {
    await expect(connected({ REDIS_URL: infra.redisUrl })).rejects.toThrow(/NOAUTH/);
    await expect(connected({ REDIS_URL: infra.redisUrl, REDIS_PASSWORD: "wrong" })).rejects.toThrow(/WRONGPASS/);
  });

  it("connects over TLS to rediss:// with the CA, and refuses a server it cannot verify", async () => {
    const url = `rediss://127.0.0.1:${tlsPort}`;
    const redis = await connected({ REDIS_URL: url, REDIS_PASSWORD: PASSWORD, RECMESH_REDIS_TLS_CA: certs.ca });
    expect(await redis.ping()).toBe("PONG");
    await expect(connected({ REDIS_URL: url, REDIS_PASSWORD: PASSWORD })).rejects.toThrow(/self-signed|unable to verify|certificate/i);
  });
});
