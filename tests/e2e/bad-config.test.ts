import { describe, expect, it } from "vitest";
import { launchService } from "../../services/kit/testing/launch-service.js";

describe("a bad environment variable stops a service at start, naming the variable", () => {
  it.each(["recommender", "feature", "candidate", "ranking", "experiment"])("%s", async (name) => {
    const port = `RECMESH_${name.toUpperCase()}_PORT`;
    const run = launchService(name, { [port]: "eighty", NATS_URL: "http://not-nats", LOG_LEVEL: "loud" }, 30_000);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(`${port}: `);
    expect(run.stderr()).toContain('(got "eighty")');
    expect(run.stderr()).toContain("NATS_URL: expected a URL with scheme nats or tls");
    expect(run.stderr()).toContain("LOG_LEVEL: ");
  });
});
