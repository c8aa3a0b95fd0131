import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../testing/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "recmesh-certs-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("recmesh certs", () => {
  it("writes a CA, server, client and per-service certificates for the given hosts, and prints the variables to set", async () => {
    const out = join(dir, "certs");
    const result = await runCli(["certs", "--out", out, "--hosts", "127.0.0.1,recmesh.local"], {});
    expect(result.code).toBe(0);
    for (const name of ["server", "client", "recommender", "feature", "candidate", "ranking", "experiment"]) {
      const cert = new X509Certificate(readFileSync(join(out, `${name}.pem`)));
      expect(cert.checkIssued(new X509Certificate(readFileSync(join(out, "ca.pem"))))).toBe(true);
      expect(cert.checkHost("recmesh.local")).toBe("recmesh.local");
      expect(statSync(join(out, `${name}-key.pem`)).mode & 0o777).toBe(0o600);
    }
    expect(result.stdout).toContain(`export RECMESH_TLS_CERT=${join(out, "server.pem")}`);
    expect(result.stdout).toContain("export RECMESH_TLS_CLIENT_AUTH=require");

    const again = await runCli(["certs", "--out", out], {});
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("pass --force");
  });
});
