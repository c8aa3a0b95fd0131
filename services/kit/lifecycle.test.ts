import { describe, expect, it } from "vitest";
import { Lifecycle } from "./lifecycle.js";
import { testLogger } from "./testing/test-logger.js";

describe("Lifecycle", () => {
  it("releases in reverse order of acquisition, the final step last, once, despite failures", async () => {
    const steps: string[] = [];
    const lifecycle = new Lifecycle(testLogger()).withFinalStep("telemetry", () => steps.push("telemetry"));
    lifecycle.add("redis", () => steps.push("redis"));
    lifecycle.add("nats", () => {
      steps.push("nats");
      throw new Error("drain failed");
    });
    lifecycle.add("server", async () => steps.push("server"));
    await Promise.all([lifecycle.shutdown(), lifecycle.shutdown()]);
    expect(steps).toEqual(["server", "nats", "redis", "telemetry"]);
  });
});
