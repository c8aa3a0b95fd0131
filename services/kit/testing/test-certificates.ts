import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevCertificates } from "../tls/dev-certificates.js";
import { identityPaths, writeDevCertificates } from "../tls/write-dev-certificates.js";

export interface TestCertificates {
  dir: string;
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** A client certificate from another CA, which servers of this set must refuse. */
  rogueClient: { cert: string; key: string };
  remove(): void;
}

/** A development CA with server and client certificates for 127.0.0.1/localhost, and a rogue CA's client, in a temp dir. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "recmesh-certs-"));
  const hosts = ["127.0.0.1", "localhost"];
  writeDevCertificates(dir, generateDevCertificates({ hosts, names: ["server", "client"], days: 2 }), { force: false });
  const rogueDir = join(dir, "rogue");
  writeDevCertificates(rogueDir, generateDevCertificates({ hosts, names: ["client"], days: 2 }), { force: false });
  return {
    dir,
    ca: join(dir, "ca.pem"),
    server: identityPaths(dir, "server"),
    client: identityPaths(dir, "client"),
    rogueClient: identityPaths(rogueDir, "client"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
