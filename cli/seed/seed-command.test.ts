import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Infrastructure } from "../../services/kit/infra/infrastructure.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";
import { readWorldManifest } from "../../world/index.js";
import { runCli } from "../testing/run-cli.js";

describe("recmesh seed", () => {
  let infra: Infrastructure & { dataDir: string };
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-seed-cli-"));
  const args = ["seed", "--preset", "small", "--items", "300", "--users", "50", "--days", "5", "--seed", "3", "--end", "2025-06-01T12:00:00Z", "--data-dir", dataDir, "--no-progress"];

  beforeAll(async () => {
    infra = await startTestInfrastructure();
  });

  afterAll(async () => {
    await infra?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("writes the ground truth, publishes the world and reports counts and rate; a second run stores nothing new", async () => {
    const first = await runCli(args, { NATS_URL: infra.natsUrl });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const dir = join(dataDir, "world", "3");
    const manifest = readWorldManifest(dir);
    expect(manifest.options).toMatchObject({ seed: 3, items: 300, users: 50, days: 5, endTime: Date.UTC(2025, 5, 1, 12) });
    expect(existsSync(join(dir, "heldout.jsonl"))).toBe(true);
    const c = manifest.counts;
    expect(first.stdout).toContain(`world seed 3: 300 items, 50 users, ${c.interactions} interactions over 4 days (+${c.heldout} held out from 2025-05-31T12:00:00.000Z)`);
    expect(first.stdout).toContain(`published items: 300 stored; interactions: ${c.interactions} stored`);
    expect(first.stdout).toMatch(/publish: [\d.]+ s, \d+ events\/s/);

    const second = await runCli(args, { NATS_URL: infra.natsUrl });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`published items: 0 stored, 300 already in the stream; interactions: 0 stored, ${c.interactions} already in the stream`);
    expect(readWorldManifest(dir).fingerprint).toBe(manifest.fingerprint);
  });

  it("refuses impossible sizes with one line and exit code 2", async () => {
    const result = await runCli(["seed", "--items", "3", "--data-dir", dataDir], { NATS_URL: infra.natsUrl });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("error: world option items: Too small: expected number to be >=20");
  });
});
