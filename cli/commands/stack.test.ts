import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "../../services/kit/config/ports.js";
import { freePort } from "../../services/kit/infra/free-port.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `recmesh stack` as the Quickstart runs it, killed if it has not finished in 3 minutes. */
function recmeshStack(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/recmesh.mjs", "stack", ...args], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.once("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function freeServicePorts(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const name of SERVICE_NAMES) {
    env[`RECMESH_${name.toUpperCase()}_PORT`] = String(await freePort());
    env[`RECMESH_${name.toUpperCase()}_ADMIN_PORT`] = String(await freePort());
  }
  return env;
}

describe("recmesh stack", () => {
  let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-stack-cli-"));

  beforeAll(async () => {
    infra = await startTestInfrastructure({ natsArgs: ["--user", "stack", "--pass", "nats-stack-pw"], redisArgs: ["--requirepass", "redis-stack-pw"] });
  });

  afterAll(async () => {
    await infra?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts every service against a NATS and a Redis that need credentials, reports them ready, and stops cleanly", async () => {
    const run = await recmeshStack(["--exit-when-ready", "--no-seed", "--data-dir", dataDir], {
      ...(await freeServicePorts()),
      NATS_URL: infra.natsUrl,
      NATS_USER: "stack",
      NATS_PASSWORD: "nats-stack-pw",
      REDIS_URL: infra.redisUrl,
      REDIS_PASSWORD: "redis-stack-pw",
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const name of SERVICE_NAMES) expect(run.stdout).toMatch(new RegExp(`^  ${name} +127\\.0\\.0\\.1:\\d+  metrics http`, "m"));
    expect(run.stdout).toContain("(external)");
    expect(run.stdout).toContain("Ready. Try:");
    expect(run.stdout).toMatch(/stopped\n$/);
    expect(run.stdout).not.toContain("nats-stack-pw");
    expect(run.stdout).not.toContain("redis-stack-pw");
  });

  it("exits 2 naming a bad variable, before starting anything", async () => {
    const run = await recmeshStack(["--exit-when-ready", "--no-seed", "--data-dir", dataDir], { RECMESH_STACK_NATS_PORT: "not-a-port", NATS_URL: "", REDIS_URL: "" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('RECMESH_STACK_NATS_PORT: ');
    expect(run.stderr).toContain('(got "not-a-port")');
    expect(run.stdout).not.toContain("nats ");
  });
});
