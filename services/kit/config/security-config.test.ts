import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCertificates, type TestCertificates } from "../testing/test-certificates.js";
import { generateDevCertificates } from "../tls/dev-certificates.js";
import { natsConfigShape, redisConfigShape, serverConfigShape, serverSettings } from "./common-config.js";
import { ConfigError, loadConfig } from "./load-config.js";
import { natsSettings } from "./nats-config.js";
import { redisSettings } from "./redis-config.js";

const serverSchema = z.object(serverConfigShape);
const load = (env: Record<string, string>) => serverSettings("feature", { grpcPort: 0, adminPort: 0 }, loadConfig(serverSchema, env));
const loadNats = (env: Record<string, string>) => natsSettings(loadConfig(z.object(natsConfigShape), env));
const loadRedis = (env: Record<string, string>) => redisSettings(loadConfig(z.object(redisConfigShape), env));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

let certs: TestCertificates;

beforeAll(() => {
  certs = createTestCertificates();
});

afterAll(() => certs.remove());

describe("gRPC TLS configuration", () => {
  it("is plaintext with limits at their defaults when nothing is configured", () => {
    const settings = load({});
    expect(settings.tls).toBeUndefined();
    expect(settings.rateLimit).toBeUndefined();
    expect(settings.maxConcurrentStreams).toBe(1000);
  });

  it("reads and checks the certificate, key and CA at load time", () => {
    const settings = load({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.server.key, RECMESH_TLS_CA: certs.ca, RECMESH_TLS_CLIENT_AUTH: "require" });
    expect(settings.tls?.requireClientCertificate).toBe(true);
    expect(settings.tls?.cert?.contents.toString()).toContain("BEGIN CERTIFICATE");
    expect(settings.tls?.key?.path).toBe(certs.server.key);
  });

  it("names the variable and the path of a missing, unreadable or wrong file", () => {
    const notCert = join(certs.dir, "not-a-cert.pem");
    writeFileSync(notCert, "hello");
    const problems = problemsOf(() =>
      load({ RECMESH_TLS_CERT: "/nonexistent/server.pem", RECMESH_TLS_KEY: certs.server.cert, RECMESH_TLS_CA: notCert }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith("RECMESH_TLS_CERT:"))).toBe('RECMESH_TLS_CERT: cannot read the file: no such file (got "/nonexistent/server.pem")');
    expect(problems.find((p) => p.startsWith("RECMESH_TLS_KEY:"))).toContain("not an unencrypted PEM private key");
    expect(problems.find((p) => p.startsWith("RECMESH_TLS_CA:"))).toContain(`not a PEM certificate file (got "${notCert}")`);
  });

  it("refuses a directory where a file belongs", () => {
    expect(problemsOf(() => load({ RECMESH_TLS_CA: certs.dir }))).toEqual([`RECMESH_TLS_CA: cannot read the file: is a directory (got "${certs.dir}")`]);
  });

  it("refuses an expired certificate", () => {
    const expired = join(certs.dir, "expired.pem");
    writeFileSync(expired, generateDevCertificates({ hosts: ["127.0.0.1"], names: ["old"], days: -1 }).caPem);
    expect(problemsOf(() => load({ RECMESH_TLS_CA: expired }))[0]).toMatch(/^RECMESH_TLS_CA: certificate ".*" expired on/);
  });

  it("checks that certificate and key come together and match", () => {
    expect(problemsOf(() => load({ RECMESH_TLS_CERT: certs.server.cert }))).toEqual(["RECMESH_TLS_KEY: required when RECMESH_TLS_CERT is set"]);
    expect(problemsOf(() => load({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.client.key }))[0]).toMatch(
      /^RECMESH_TLS_KEY: the key in .*client-key\.pem does not match the certificate in .*server\.pem/,
    );
  });

  it("needs the CA for mutual TLS, and a certificate to serve TLS", () => {
    expect(problemsOf(() => load({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.server.key, RECMESH_TLS_CLIENT_AUTH: "require" }))).toEqual([
      "RECMESH_TLS_CA: required when RECMESH_TLS_CLIENT_AUTH=require",
    ]);
    expect(problemsOf(() => load({ RECMESH_TLS_CA: certs.ca }))[0]).toMatch(/^RECMESH_TLS_CERT: a server needs its certificate and key/);
  });

  it("never serialises key material: a logged config shows paths only", () => {
    const settings = load({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.server.key, RECMESH_TLS_CA: certs.ca });
    const json = JSON.stringify(settings);
    expect(json).toContain(certs.server.key);
    expect(json).not.toContain("PRIVATE KEY");
    expect(inspect(settings, { depth: 10 })).not.toContain("PRIVATE KEY");
  });

  it("turns on the per-caller rate limit with a burst of at least one second's worth", () => {
    expect(load({ RECMESH_RATE_LIMIT_RPS: "2.5" }).rateLimit).toEqual({ ratePerSecond: 2.5, burst: 3, trustCallerHeader: false });
    expect(load({ RECMESH_RATE_LIMIT_RPS: "100", RECMESH_RATE_LIMIT_BURST: "20", RECMESH_RATE_LIMIT_TRUST_CALLER_HEADER: "true" }).rateLimit).toEqual({
      ratePerSecond: 100,
      burst: 20,
      trustCallerHeader: true,
    });
  });
});

describe("NATS security configuration", () => {
  it("defaults to no authentication and no TLS", () => {
    expect(loadNats({})).toEqual({ url: "nats://127.0.0.1:4222", auth: { kind: "none" } });
  });

  it("requires TLS for a tls:// URL or TLS files, and maps each authentication method", () => {
    expect(loadNats({ NATS_URL: "tls://127.0.0.1:4222" }).tls).toEqual({});
    expect(loadNats({ RECMESH_NATS_TLS_CA: certs.ca }).tls?.ca?.path).toBe(certs.ca);
    expect(loadNats({ NATS_USER: "svc", NATS_PASSWORD: "pw" }).auth).toMatchObject({ kind: "user", user: "svc" });
    expect(loadNats({ NATS_TOKEN: "tok" }).auth.kind).toBe("token");
  });

  it("refuses ambiguous or half-configured authentication, and credentials in the URL", () => {
    expect(problemsOf(() => loadNats({ NATS_USER: "svc", NATS_TOKEN: "tok" }))).toContain("NATS_USER, NATS_TOKEN, NATS_CREDS: set only one authentication method");
    expect(problemsOf(() => loadNats({ NATS_USER: "svc" }))).toEqual(["NATS_PASSWORD: required when NATS_USER is set"]);
    expect(problemsOf(() => loadNats({ NATS_URL: "nats://svc:pw@127.0.0.1:4222" }))[0]).toMatch(/^NATS_URL: put credentials in NATS_USER/);
    expect(problemsOf(() => loadNats({ NATS_CREDS: certs.ca }))[0]).toContain("NATS_CREDS: not a NATS credentials file");
  });

  it("never serialises a password or token", () => {
    const settings = loadNats({ NATS_USER: "svc", NATS_PASSWORD: "hunter2-nats" });
    expect(JSON.stringify(settings)).not.toContain("hunter2-nats");
    expect(inspect(settings, { depth: 10 })).not.toContain("hunter2-nats");
    const withToken = loadNats({ NATS_TOKEN: "tok-secret" });
    expect(JSON.stringify(withToken)).not.toContain("tok-secret");
    expect(JSON.stringify(withToken.auth)).toBe('{"kind":"token","token":"[redacted]"}');
  });
});

describe("Redis security configuration", () => {
  it("takes the password from REDIS_PASSWORD and turns TLS on for rediss:// or TLS files", () => {
    expect(loadRedis({})).toEqual({ url: "redis://127.0.0.1:6379" });
    const settings = loadRedis({ REDIS_URL: "rediss://127.0.0.1:6380", REDIS_PASSWORD: "hunter2-redis", RECMESH_REDIS_TLS_CA: certs.ca });
    expect(settings.password?.reveal()).toBe("hunter2-redis");
    expect(settings.tls?.ca?.path).toBe(certs.ca);
    expect(JSON.stringify(settings)).not.toContain("hunter2-redis");
  });

  it("refuses a password given twice", () => {
    expect(problemsOf(() => loadRedis({ REDIS_URL: "redis://:a@127.0.0.1:6379", REDIS_PASSWORD: "b" }))).toEqual([
      "REDIS_PASSWORD: the password is also in REDIS_URL; set only one",
    ]);
  });
});
