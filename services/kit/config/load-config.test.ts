import { z } from "zod";
import { describe, expect, it } from "vitest";
import { serverConfigShape, serverSettings } from "./common-config.js";
import { flag, port, url } from "./env-types.js";
import { ConfigError, loadConfig } from "./load-config.js";

const schema = z.object({
  RECMESH_FEATURE_PORT: port(50052),
  NATS_URL: url(["nats"], "nats://127.0.0.1:4222"),
  RECMESH_VERBOSE: flag(false),
  ...serverConfigShape,
});

describe("loadConfig", () => {
  it("applies defaults and coerces types", () => {
    const config = loadConfig(schema, { RECMESH_VERBOSE: "true", RECMESH_DEFAULT_DEADLINE_MS: "250" });
    expect(config.RECMESH_FEATURE_PORT).toBe(50052);
    expect(config.RECMESH_VERBOSE).toBe(true);
    const settings = serverSettings("feature", { grpcPort: config.RECMESH_FEATURE_PORT, adminPort: 9052 }, config);
    expect(settings).toMatchObject({ service: "feature", grpcPort: 50052, host: "127.0.0.1", defaultDeadlineMs: 250, logLevel: "info" });
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig(schema, { RECMESH_FEATURE_PORT: "" }).RECMESH_FEATURE_PORT).toBe(50052);
  });

  it("reports every bad variable on its own line, naming it and the bad value", () => {
    let error: unknown;
    try {
      loadConfig(schema, { RECMESH_FEATURE_PORT: "eighty", NATS_URL: "http://x", LOG_LEVEL: "loud", RECMESH_VERBOSE: "yes" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith("RECMESH_FEATURE_PORT:"))).toContain('(got "eighty")');
    expect(problems.find((p) => p.startsWith("NATS_URL:"))).toContain("expected a URL with scheme nats");
    expect(problems.some((p) => p.startsWith("LOG_LEVEL:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("RECMESH_VERBOSE:"))).toBe(true);
    expect((error as ConfigError).message.split("\n")).toHaveLength(5);
  });
});
