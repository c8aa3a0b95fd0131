import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDevCertificates } from "./dev-certificates.js";
import { identityPaths, writeDevCertificates } from "./write-dev-certificates.js";

const dir = mkdtempSync(join(tmpdir(), "recmesh-devcerts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("development certificates", () => {
  const certs = generateDevCertificates({ hosts: ["127.0.0.1", "localhost", "recmesh.local"], names: ["server", "feature"], days: 30 });
  const ca = new X509Certificate(certs.caPem);

  it("makes a CA and leaves signed by it, valid for every host and their own name, for server and client use", () => {
    expect(ca.ca).toBe(true);
    expect(ca.checkIssued(ca)).toBe(true);
    for (const identity of certs.identities) {
      const leaf = new X509Certificate(identity.certPem);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.checkPrivateKey(createPrivateKey(identity.keyPem))).toBe(true);
      expect(leaf.subject).toContain(`CN=${identity.name}`);
      expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
      expect(leaf.checkHost("localhost")).toBe("localhost");
      expect(leaf.checkHost("recmesh.local")).toBe("recmesh.local");
      expect(leaf.checkHost(identity.name)).toBe(identity.name);
      expect(leaf.checkHost("elsewhere.example")).toBeUndefined();
      expect(leaf.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
      expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    }
  });

  it("writes keys readable by the owner only, and refuses to replace a CA unless forced", () => {
    const out = join(dir, "certs");
    const written = writeDevCertificates(out, certs, { force: false });
    expect(written).toHaveLength(1 + 2 * certs.identities.length);
    const server = identityPaths(out, "server");
    expect(statSync(server.key).mode & 0o777).toBe(0o600);
    expect(statSync(server.cert).mode & 0o777).toBe(0o644);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(out, "ca.pem"), "utf8")).toBe(certs.caPem);
    expect(() => writeDevCertificates(out, certs, { force: false })).toThrow(/ca\.pem exists; pass --force/);
    const again = generateDevCertificates({ hosts: ["127.0.0.1"], names: ["server"], days: 1 });
    writeDevCertificates(out, again, { force: true });
    expect(readFileSync(join(out, "ca.pem"), "utf8")).toBe(again.caPem);
    expect(statSync(server.key).mode & 0o777).toBe(0o600);
  });
});
