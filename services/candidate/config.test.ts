import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCandidateConfig } from "./config.js";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

describe("candidate configuration", () => {
  it("has working defaults and reads its variables", () => {
    const config = loadCandidateConfig({ RECMESH_CANDIDATE_K_LIMIT: "500", RECMESH_CANDIDATE_POPULARITY_WEIGHTS: "view=0.5, purchase=20" });
    expect(config.server).toMatchObject({ service: "candidate", grpcPort: 50053, adminPort: 9053 });
    expect(config.limits.kLimit).toBe(500);
    expect(config.index.weights).toMatchObject({ view: 0.5, click: 3, purchase: 20 });
    expect(config.index.popularity.capacity).toBe(1500);
  });

  it("names every bad variable", () => {
    expect(() =>
      loadCandidateConfig({ RECMESH_CANDIDATE_ANN_QUOTA_PERCENT: "120", RECMESH_CANDIDATE_POPULARITY_WEIGHTS: "likes=3", RECMESH_CANDIDATE_INSTANCE: "a b" }),
    ).toThrow(/RECMESH_CANDIDATE_ANN_QUOTA_PERCENT[\s\S]*RECMESH_CANDIDATE_POPULARITY_WEIGHTS[\s\S]*RECMESH_CANDIDATE_INSTANCE/);
  });

  it("makes the service exit non-zero at start, naming the variable", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", MAIN], {
      env: { ...process.env, RECMESH_CANDIDATE_K_LIMIT: "lots", NATS_URL: "nats://127.0.0.1:1" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("RECMESH_CANDIDATE_K_LIMIT");
    expect(run.stderr).toContain('(got "lots")');
  });
});
