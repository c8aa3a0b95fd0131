import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createConnection } from "node:net";
import type { Readable } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "../../services/kit/config/ports.js";
import { freePort } from "../../services/kit/infra/free-port.js";
import { GENEROUS_BUDGETS } from "../../services/kit/testing/generous-budgets.js";
import { replayGrpcurl } from "../../services/kit/testing/grpcurl-replay.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";
import { repoRoot, runRecmesh } from "../testing/run-recmesh.js";


/** `recmesh stack` as the Quickstart runs it, killed if it has not finished in 3 minutes. */
const recmeshStack = (args: string[], env: Record<string, string>) => runRecmesh(["stack", ...args], { LOG_LEVEL: "warn", ...env }, 180_000);

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

/** stdout until `marker` appears (or the process exits, or 4 minutes pass). */
function outputUntil(child: ChildProcessByStdio<null, Readable, Readable>, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no "${marker}" within 4 minutes:\n${out}`)), 240_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${String(code)} before "${marker}":\n${out}`)));
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("recmesh stack, as the Quickstart runs it", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-quickstart-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("starts its own NATS and Redis, seeds a world, answers the demo and every printed grpcurl command, and stops on Ctrl-C", async () => {
    const natsPort = await freePort();
    const redisPort = await freePort();
    const child = spawn(process.execPath, ["bin/recmesh.mjs", "stack", "--world", "small", "--data-dir", dataDir], {
      cwd: repoRoot,
      env: { ...process.env, ...GENEROUS_BUDGETS, LOG_LEVEL: "warn", ...(await freeServicePorts()), NATS_URL: "", REDIS_URL: "", RECMESH_STACK_NATS_PORT: String(natsPort), RECMESH_STACK_REDIS_PORT: String(redisPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const out = await outputUntil(child, "Ctrl-C stops everything.");
      expect(out).toContain(`nats   nats://127.0.0.1:${natsPort}\n`);
      expect(out).toContain(`redis  redis://127.0.0.1:${redisPort}\n`);
      expect(out).toMatch(/world seed 42: 2000 items, 400 users/);
      const demo = /Recommend\(user-00042, 5\) → model (\S+)(.*)\n((?: {2}\d\. .*\n){5})/.exec(out);
      expect(demo?.[1]).toMatch(/^ctr-mlp\//);
      expect(demo?.[2]).toBe("");
      const commands = out
        .split("Ready. Try:\n")[1]
        ?.split("\n\nCtrl-C")[0]
        ?.split(/\n {2}(?=grpcurl )/)
        .map((c) => c.trim().replace(/\n {2}/g, "\n"));
      expect(commands?.length).toBe(SERVICE_NAMES.length + 5);
      for (const command of commands ?? []) {
        const result = await replayGrpcurl(command);
        if (result.verb === "list") expect(result.services, command).toContain("grpc.health.v1.Health");
        if (result.verb === "describe") expect(result.methods, command).toEqual(expect.arrayContaining(["Recommend", "Track", "Session"]));
        if (result.verb === "call") {
          expect(result.responses.length, command).toBeGreaterThan(0);
          const answers = result.responses as { items?: unknown[]; eventId?: string; recommendations?: { items?: unknown[] }; tracked?: { eventId?: string } }[];
          if (command.includes("/Track")) expect(answers[0]?.eventId, command).toBeTruthy();
          else if (command.includes("/Session")) {
            expect(answers.filter((a) => (a.recommendations?.items?.length ?? 0) > 0).length, command).toBeGreaterThanOrEqual(2);
            expect(answers.some((a) => a.tracked?.eventId), command).toBe(true);
          } else expect(answers[0]?.items?.length, command).toBeGreaterThan(0);
        }
      }
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(await listening(natsPort)).toBe(false);
      expect(await listening(redisPort)).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
