import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { natsConfigShape } from "../config/common-config.js";
import { loadConfig } from "../config/load-config.js";
import { natsSettings, type NatsSettings } from "../config/nats-config.js";
import { createTestCertificates, type TestCertificates } from "../testing/test-certificates.js";
import { startTestInfrastructure } from "../testing/test-infrastructure.js";
import { testLogger } from "../testing/test-logger.js";
import { connectNats } from "./nats-connection.js";
import { natsConnectionOptions } from "./nats-options.js";

const load = (env: Record<string, string>) => natsSettings(loadConfig(z.object(natsConfigShape), env));

/** One connection attempt, no retries: how a misconfigured client is refused. */
async function connectOnce(settings: NatsSettings): Promise<NatsConnection> {
  return connect({ ...natsConnectionOptions(settings), maxReconnectAttempts: 0, reconnect: false, timeout: 5_000 });
}

/** How nats-server refuses a client certificate: the TLS alert, or (TLS 1.3, the client already done) a reset before the alert is read. */
const HANDSHAKE_REFUSED = ["ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "ECONNRESET"];

async function refusal(settings: NatsSettings): Promise<string> {
  const nc = await connectOnce(settings).catch((err: NodeJS.ErrnoException) => err);
  if (!(nc instanceof Error)) {
    await nc.close();
    return "connected";
  }
  return String(nc.code);
}

let certs: TestCertificates;
let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;
let url: string;

beforeAll(async () => {
  certs = createTestCertificates();
  infra = await startTestInfrastructure({
    natsArgs: ["--tls", "--tlscert", certs.server.cert, "--tlskey", certs.server.key, "--tlsverify", "--tlscacert", certs.ca, "--user", "svc", "--pass", "nats-pw-123"],
  });
  url = infra.natsUrl.replace("nats://", "tls://");
});

afterAll(async () => {
  await infra?.stop();
  certs?.remove();
});

describe("NATS over mutual TLS with user/password", () => {
  const withPassword = (password: string) =>
    load({
      NATS_URL: url,
      NATS_USER: "svc",
      NATS_PASSWORD: password,
      RECMESH_NATS_TLS_CA: certs.ca,
      RECMESH_NATS_TLS_CERT: certs.client.cert,
      RECMESH_NATS_TLS_KEY: certs.client.key,
    });
  const good = () => withPassword("nats-pw-123");

  it("connects through connectNats and uses JetStream", async () => {
    const nc = await connectNats(good(), "nats-security-test", testLogger());
    try {
      expect(nc.info?.tls_required).toBe(true);
      const jsm = await jetstreamManager(nc);
      expect((await jsm.getAccountInfo()).limits).toBeDefined();
    } finally {
      await nc.close();
    }
  });

  it("is refused with a wrong password", async () => {
    await expect(connectOnce(withPassword("wrong"))).rejects.toThrow(/Authorization Violation/i);
  });

  it("is refused without a client certificate, and with one from another CA", async () => {
    const { ca } = good().tls ?? {};
    expect(HANDSHAKE_REFUSED).toContain(await refusal({ ...good(), tls: { ca } }));
    const rogue = load({ NATS_URL: url, RECMESH_NATS_TLS_CA: certs.ca, RECMESH_NATS_TLS_CERT: certs.rogueClient.cert, RECMESH_NATS_TLS_KEY: certs.rogueClient.key });
    expect(HANDSHAKE_REFUSED).toContain(await refusal({ ...good(), tls: rogue.tls }));
  });

  it("is refused when the server's CA is not trusted", async () => {
    await expect(connectOnce({ ...good(), tls: { cert: good().tls?.cert, key: good().tls?.key } })).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });
});

describe("natsConnectionOptions", () => {
  it("maps each authentication method and the TLS files onto nats.js options", () => {
    expect(natsConnectionOptions(load({}))).toEqual({ servers: "nats://127.0.0.1:4222" });
    expect(natsConnectionOptions(load({ NATS_USER: "u", NATS_PASSWORD: "p" }))).toMatchObject({ user: "u", pass: "p" });
    expect(natsConnectionOptions(load({ NATS_TOKEN: "t" }))).toMatchObject({ token: "t" });
    const creds = join(certs.dir, "user.creds");
    writeFileSync(creds, "-----BEGIN NATS USER JWT-----\nx\n------END NATS USER JWT------\n-----BEGIN USER NKEY SEED-----\ny\n------END USER NKEY SEED------\n");
    expect(typeof natsConnectionOptions(load({ NATS_CREDS: creds })).authenticator).toBe("function");
    const tls = natsConnectionOptions(load({ NATS_URL: "tls://127.0.0.1:4222", RECMESH_NATS_TLS_CA: certs.ca })).tls;
    expect(tls?.ca).toContain("BEGIN CERTIFICATE");
    expect(natsConnectionOptions(load({ NATS_URL: "tls://127.0.0.1:4222" })).tls).toEqual({});
  });
});
