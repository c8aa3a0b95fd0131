import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scenarioTable } from "./scenarios/report-table.js";
import { faultStack, SCENARIOS } from "./scenarios/suite.js";
import { REDUCED } from "./scenarios/suite-settings.js";

/** Generous: catches a hung scenario, never measures one (a killed consumer's events come back after its 30 s ack_wait). */
const SCENARIO_TIMEOUT_MS = 180_000;

/**
 * The reduced form of `recmesh faults`: every scenario, a few seconds of load
 * each, on one stack of child processes. Each must end with nothing
 * acknowledged lost and no service crashed, plus its own invariants.
 */
describe("fault injection under load (reduced)", () => {
  const stack = faultStack(REDUCED);

  beforeAll(() => stack.start(), SCENARIO_TIMEOUT_MS);
  afterAll(() => stack.stop(), SCENARIO_TIMEOUT_MS);

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    "%s",
    async (_name, scenario) => {
      const result = await scenario.run({ stack, settings: REDUCED, log: () => undefined });
      const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      expect(failed, scenarioTable(result).join("\n")).toEqual([]);
      expect(result.events.lost).toBe(0);
      expect(stack.crashes).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
