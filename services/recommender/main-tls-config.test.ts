import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCertificates, type TestCertificates } from "../kit/testing/test-certificates.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** `node --import tsx services/recommender/main.ts`, as the stack runs it; resolves with its exit code and stderr. */
function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "services/recommender/main.ts"], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: "warn", RECMESH_RECOMMENDER_PORT: "0", RECMESH_RECOMMENDER_ADMIN_PORT: "0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    });
  });
}

let certs: TestCertificates;
beforeAll(() => {
  certs = createTestCertificates();
});
afterAll(() => certs.remove());

describe("recommender entry point with TLS configured", () => {
  it("exits 2 at start, naming the variable and the path of a missing certificate", async () => {
    const result = await run({ RECMESH_TLS_CERT: "/nonexistent/recmesh/server.pem", RECMESH_TLS_KEY: certs.server.key });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RECMESH_TLS_CERT: cannot read the file: no such file (got "/nonexistent/recmesh/server.pem")');
  });

  it("exits 2 when the key does not belong to the certificate, naming both", async () => {
    const result = await run({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.client.key, RECMESH_TLS_CA: certs.ca });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`RECMESH_TLS_KEY: the key in ${certs.client.key} does not match the certificate in ${certs.server.cert}`);
  });
});
