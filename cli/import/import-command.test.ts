import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Infrastructure } from "../../services/kit/infra/infrastructure.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";
import { runCli } from "../testing/run-cli.js";

const fixtures = fileURLToPath(new URL("../../world/fixtures/movielens/", import.meta.url));

describe("recmesh import", () => {
  let infra: Infrastructure & { dataDir: string };

  beforeAll(async () => {
    infra = await startTestInfrastructure();
  });

  afterAll(async () => {
    await infra?.stop();
  });

  it("imports MovieLens files with no options, printing each bad row and a summary with the skipped counts", async () => {
    const result = await runCli(["import", "--items", `${fixtures}movies.csv`, "--interactions", `${fixtures}ratings.csv`, "--no-progress"], {
      NATS_URL: infra.natsUrl,
    });
    expect(result.code).toBe(0);
    const errors = result.stderr.trim().split("\n");
    expect(errors).toHaveLength(10);
    expect(errors[0]).toBe(`${fixtures}movies.csv:8: column 1 (movieId): value "" is empty; row skipped`);
    expect(result.stdout).toContain(`items: 14 rows read from ${fixtures}movies.csv: 11 published, 11 stored, 3 bad rows skipped`);
    expect(result.stdout).toContain(`interactions: 31 rows read from ${fixtures}ratings.csv: 24 published, 24 stored, 7 bad rows skipped`);
  });

  it("stops with one line and exit code 2 when the files cannot be read as asked", async () => {
    const result = await runCli(["import", "--interactions", `${fixtures}movies.csv`, "--no-progress"], { NATS_URL: infra.natsUrl });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: .*movies\.csv: no column for user_id \(looked for .*\); name it with --map interactions\.user_id=<column>$/);
    const none = await runCli(["import"], { NATS_URL: infra.natsUrl });
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe("error: nothing to import: give --items <file> and/or --interactions <file>");
  });
});
