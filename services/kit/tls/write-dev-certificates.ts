import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DevCertificates } from "./dev-certificates.js";

/** Paths of one identity written by writeDevCertificates. */
export function identityPaths(dir: string, name: string): { cert: string; key: string } {
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
}

/**
 * Writes ca.pem, <name>.pem and <name>-key.pem into `dir` (created 0700); keys
 * are 0600. Refuses to replace an existing ca.pem unless `force`: certificates
 * already handed out would stop verifying.
 */
export function writeDevCertificates(dir: string, certs: DevCertificates, options: { force: boolean }): string[] {
  const caPath = join(dir, "ca.pem");
  if (existsSync(caPath) && !options.force) throw new Error(`${caPath} exists; pass --force to replace the CA and every certificate`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (path: string, contents: string, mode: number) => {
    writeFileSync(path, contents, { mode });
    // The mode of writeFileSync applies only when the file is created.
    chmodSync(path, mode);
    return path;
  };
  const written = [write(caPath, certs.caPem, 0o644)];
  for (const identity of certs.identities) {
    const paths = identityPaths(dir, identity.name);
    written.push(write(paths.cert, identity.certPem, 0o644), write(paths.key, identity.keyPem, 0o600));
  }
  return written;
}
