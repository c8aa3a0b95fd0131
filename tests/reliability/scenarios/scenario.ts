import type { ChildStack } from "../harness/child-stack.js";
import type { LoadSummary } from "../harness/call-log.js";
import type { EventAudit, ExposureAudit } from "../harness/event-audit.js";
import type { SuiteSettings } from "./suite-settings.js";

/** One invariant of a scenario and whether it held. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  name: string;
  load: LoadSummary;
  events: EventAudit;
  exposures?: ExposureAudit;
  checks: Check[];
  /** Scenario-specific measurements for the report (breaker transitions, RSS, saturation…). */
  facts: Record<string, string>;
  durationMs: number;
}

export interface ScenarioContext {
  stack: ChildStack;
  settings: SuiteSettings;
  log: (line: string) => void;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export function check(name: string, ok: boolean, detail = ""): Check {
  return { name, ok, detail };
}
