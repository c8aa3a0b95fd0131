import { ChildStack } from "../harness/child-stack.js";
import { natsKillScenario } from "./nats-kill.js";
import { overloadScenario } from "./overload.js";
import { redisRestartScenario } from "./redis-restart.js";
import type { Scenario, ScenarioResult } from "./scenario.js";
import { serviceKillScenario } from "./service-kill.js";
import { slowDependencyScenario } from "./slow-dependency.js";
import { STACK_ENV, type SuiteSettings } from "./suite-settings.js";

/** Every scenario, in the order the suite runs them. */
export const SCENARIOS: readonly Scenario[] = [
  serviceKillScenario("experiment"),
  serviceKillScenario("feature"),
  serviceKillScenario("candidate"),
  serviceKillScenario("ranking"),
  serviceKillScenario("recommender"),
  natsKillScenario,
  redisRestartScenario,
  slowDependencyScenario,
  overloadScenario,
];

export function scenarioNamed(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return found;
}

/** The stack the suite runs against: every service a child process, on a seeded world. */
export function faultStack(settings: SuiteSettings, keepData = false): ChildStack {
  return new ChildStack({ world: settings.world, env: STACK_ENV, keepData });
}

/** Starts the stack, runs the scenarios one after another, stops it; each result is handed on as it is ready. */
export async function runSuite(
  settings: SuiteSettings,
  scenarios: readonly Scenario[],
  log: (line: string) => void,
  onResult: (result: ScenarioResult) => void,
  keepData = false,
): Promise<ScenarioResult[]> {
  const stack = faultStack(settings, keepData);
  const results: ScenarioResult[] = [];
  try {
    log(`starting the stack (world: ${settings.world.items} items, ${settings.world.users} users) in ${stack.dataDir}`);
    await stack.start();
    for (const scenario of scenarios) {
      log(`▶ ${scenario.name}: ${scenario.description}`);
      const result = await scenario.run({ stack, settings, log });
      results.push(result);
      onResult(result);
    }
  } finally {
    await stack.stop();
    if (keepData) log(`data and service logs kept in ${stack.dataDir}`);
  }
  return results;
}
