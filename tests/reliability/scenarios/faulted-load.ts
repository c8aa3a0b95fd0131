import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { status } from "@grpc/grpc-js";
import { SERVICE_NAMES } from "../../../services/kit/config/ports.js";
import { BreakerWatch } from "../harness/breaker-watch.js";
import { codeName } from "../harness/call-log.js";
import { auditEvents, auditExposures } from "../harness/event-audit.js";
import { SteadyLoad, type LoadSettings } from "../harness/steady-load.js";
import { lastSequence, withNats } from "../harness/stream-reader.js";
import { check, type Check, type ScenarioContext, type ScenarioResult } from "./scenario.js";
import type { SuiteSettings } from "./suite-settings.js";

/** What a scenario body sees while the load runs. */
export interface FaultedRun {
  load: SteadyLoad;
  breakers: BreakerWatch;
}

export interface BodyOutcome {
  checks: Check[];
  facts?: Record<string, string>;
}

export interface FaultedLoadOptions {
  load?: Partial<LoadSettings>;
  /** Count answered requests' exposure events in EVENTS: every one required, or only reported (a killed recommender loses its queue). */
  exposures?: "required" | "reported";
}

const TEST_ITEMS = 20;
/** How long reported (not required) exposures are waited for: the queue of a live recommender empties well within it. */
const REPORTED_EXPOSURES_WAIT_MS = 5_000;
const TEST_USERS = 10;

/**
 * Runs a fault under steady Recommend + Track load and audits the outcome: the
 * scenario's own checks plus the ones every scenario must pass (nothing
 * acknowledged lost, applied exactly once, no hang, no crash).
 */
export async function underLoad(
  ctx: ScenarioContext,
  name: string,
  options: FaultedLoadOptions,
  body: (run: FaultedRun) => Promise<BodyOutcome>,
): Promise<ScenarioResult> {
  const { stack, settings } = ctx;
  const started = Date.now();
  const tag = `${name}-${randomBytes(3).toString("hex")}`;
  const items = Array.from({ length: TEST_ITEMS }, (_, i) => `rel-${tag}-item-${i}`);
  const afterSeq = await withNats(stack.infra.natsUrl, lastSequence);
  const load = new SteadyLoad(stack.address("recommender"), {
    recommendRps: settings.recommendRps,
    trackRps: settings.trackRps,
    deadlineMs: settings.deadlineMs,
    slackMs: settings.slackMs,
    maxInFlight: settings.maxInFlight,
    users: stack.worldUsers,
    trackUsers: Array.from({ length: TEST_USERS }, (_, i) => `rel-${tag}-user-${i}`),
    trackItems: items,
    retryWindowMs: settings.recoverTimeoutMs,
    ...options.load,
  });
  const breakers = new BreakerWatch(stack.adminUrl("recommender"));
  const run: FaultedRun = { load, breakers };
  load.start();
  breakers.start();
  let outcome: BodyOutcome;
  try {
    outcome = await body(run);
  } finally {
    await load.stop();
    await breakers.stop();
    load.close();
  }
  const summary = load.summary();
  ctx.log(`${name}: load stopped (${summary.sent} Recommend, ${load.tracks.length} Track); auditing events`);
  const auditStarted = Date.now();
  const { events, exposures } = await withNats(stack.infra.natsUrl, async (nc) => ({
    events: await auditEvents(nc, stack.address("feature"), load.tracks, afterSeq, items, settings.auditTimeoutMs),
    exposures: options.exposures
      ? await auditExposures(nc, load.recommends, afterSeq, options.exposures === "required" ? settings.auditTimeoutMs : REPORTED_EXPOSURES_WAIT_MS)
      : undefined,
  }));
  const down = SERVICE_NAMES.filter((s) => !stack.isRunning(s));
  const checks = [
    ...outcome.checks,
    check("every acknowledged Track is in EVENTS", events.lost === 0, `${events.found}/${events.tracked} found`),
    check("no event stored twice", events.duplicates === 0, `${events.duplicates} duplicates`),
    check("feature counters equal the stored events (exactly once in effect)", events.counterMismatches.length === 0, events.counterMismatches.slice(0, 3).join("; ")),
    check("every Track acknowledged once the fault was over", events.tracked === load.tracks.length, `${events.tracked}/${load.tracks.length}`),
    check("no call past its deadline + slack", summary.overdue === 0 && summary.notStarted === 0, `${summary.overdue} overdue, ${summary.notStarted} never started`),
    check("no service crashed; all running", stack.crashes.length === 0 && down.length === 0, [...stack.crashes.map((c) => `${c.service} exited ${c.code}`), ...down.map((d) => `${d} down`)].join(", ")),
  ];
  if (exposures && options.exposures === "required") checks.push(check("every answered request's exposure delivered", exposures.found === exposures.expected, `${exposures.found}/${exposures.expected}`));
  // Mostly the wait for consumers to apply everything: after a consumer is killed, the events it held come back after ack_wait.
  const facts = { ...outcome.facts, "load stop to events audited": `${Date.now() - auditStarted} ms` };
  return { name, load: summary, events, exposures, checks, facts, durationMs: Date.now() - started };
}

/**
 * Every Recommend (other than those `excused`, e.g. shed ones) answered. A call
 * that ends at its deadline did not hang; on a starved shared host a few may,
 * so up to `settings.maxTimedOutShare` of them are tolerated and reported.
 */
export function keepsAnswering(run: FaultedRun, settings: SuiteSettings, name: string, excused: (code: number) => boolean = () => false): Check {
  const calls = run.load.recommends.filter((r) => !excused(r.code));
  const timedOut = calls.filter((r) => r.code === status.DEADLINE_EXCEEDED).length;
  const other = calls.filter((r) => r.code !== status.OK && r.code !== status.DEADLINE_EXCEEDED);
  const share = timedOut / Math.max(1, calls.length);
  const codes = [...new Set(other.map((r) => codeName(r.code)))].join(", ");
  return check(name, other.length === 0 && share <= settings.maxTimedOutShare, `${calls.length - timedOut - other.length}/${calls.length} answered; ${timedOut} ended at their deadline; ${other.length} failed otherwise${codes ? ` (${codes})` : ""}`);
}

/** Polls `condition` every `intervalMs` until true (resolves true) or `timeoutMs` passed (resolves false). */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/** Resolves once an answer that started after `since` satisfies `ok`, or false after `timeoutMs`. */
export function answeredAfter(run: FaultedRun, since: number, ok: (degraded: number[]) => boolean, timeoutMs: number): Promise<boolean> {
  return eventually(() => run.load.recommends.some((r) => r.startedAt >= since && r.code === 0 && ok(r.degraded)), timeoutMs);
}
