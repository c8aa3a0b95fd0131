import { setTimeout as sleep } from "node:timers/promises";
import { status } from "@grpc/grpc-js";
import { DegradedComponent } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import type { ServiceName } from "../harness/child-stack.js";
import { codeName } from "../harness/call-log.js";
import { answeredAfter, keepsAnswering, underLoad, type BodyOutcome, type FaultedRun } from "./faulted-load.js";
import { check, type Scenario, type ScenarioContext } from "./scenario.js";

type Dependency = Exclude<ServiceName, "recommender">;

const FLAG: Record<Dependency, DegradedComponent> = {
  experiment: DegradedComponent.DEGRADED_COMPONENT_EXPERIMENT,
  feature: DegradedComponent.DEGRADED_COMPONENT_FEATURES,
  candidate: DegradedComponent.DEGRADED_COMPONENT_CANDIDATES,
  ranking: DegradedComponent.DEGRADED_COMPONENT_RANKING,
};

/** After the recommender is SERVING again, callers may still see the old connection fail for this long (client reconnect backoff). */
const RECONNECT_GRACE_MS = 3_000;

async function killDependency(ctx: ScenarioContext, name: Dependency, run: FaultedRun): Promise<BodyOutcome> {
  const { stack, settings } = ctx;
  await sleep(settings.steadyMs);
  await stack.kill(name);
  ctx.log(`kill-${name}: killed -9; load continues for ${settings.outageMs} ms`);
  await sleep(settings.outageMs);
  const restart = Date.now();
  await stack.startService(name);
  const serving = Date.now();
  const recovered = await answeredAfter(run, serving, (d) => d.length === 0, settings.recoverTimeoutMs);
  const healthy = Date.now();
  ctx.log(`kill-${name}: SERVING again after ${serving - restart} ms; recovered: ${recovered}`);
  await sleep(settings.steadyMs);

  const flagged = run.load.recommends.filter((r) => r.code === status.OK && r.degraded.includes(FLAG[name])).length;
  return {
    checks: [
      keepsAnswering(run, settings, "Recommend keeps answering"),
      check(`answers degraded [${DegradedComponent[FLAG[name]]}] while ${name} was down`, flagged > 0, `${flagged} degraded answers`),
      check(`breaker ${name} opened`, run.breakers.opened(name), run.breakers.describe(name)),
      check(`breaker ${name} closed again`, run.breakers.last(name) === "closed", run.breakers.describe(name)),
      check("non-degraded answers after restart", recovered, ""),
    ],
    facts: {
      breaker: `${name}: ${run.breakers.describe(name)}`,
      "restart to SERVING": `${serving - restart} ms`,
      "SERVING to healthy answer": `${healthy - serving} ms`,
    },
  };
}

async function killRecommender(ctx: ScenarioContext, run: FaultedRun): Promise<BodyOutcome> {
  const { stack, settings } = ctx;
  await sleep(settings.steadyMs);
  const kill = Date.now();
  await stack.kill("recommender");
  ctx.log(`kill-recommender: killed -9; load continues for ${settings.outageMs} ms`);
  await sleep(settings.outageMs);
  const restart = Date.now();
  await stack.startService("recommender");
  const serving = Date.now();
  const recovered = await answeredAfter(run, serving, () => true, settings.recoverTimeoutMs);
  const answering = Date.now();
  await sleep(settings.steadyMs);

  const failed = run.load.recommends.filter((r) => r.code !== status.OK);
  const outsideOutage = failed.filter((r) => r.endedAt < kill || r.startedAt > serving + RECONNECT_GRACE_MS);
  const notFast = failed.filter((r) => r.code !== status.UNAVAILABLE && r.code !== status.DEADLINE_EXCEEDED);
  const timedOut = failed.filter((r) => r.code === status.DEADLINE_EXCEEDED).length;
  return {
    checks: [
      check("calls fail only while the recommender is down", outsideOutage.length === 0, `${outsideOutage.length} failures outside the outage`),
      check(
        "failures are fast UNAVAILABLE (a few may end at their deadline on a starved host)",
        notFast.length === 0 && timedOut <= settings.maxTimedOutShare * run.load.recommends.length,
        failures(run),
      ),
      check("calls fail while it is down", failed.length > 0, `${failed.length} failed`),
      check("answers resume after restart", recovered, ""),
    ],
    facts: {
      "restart to SERVING": `${serving - restart} ms`,
      "SERVING to first answer": `${answering - serving} ms`,
      "slowest failed call": `${failed.reduce((m, r) => Math.max(m, r.endedAt - r.startedAt), 0)} ms`,
    },
  };
}

function failures(run: FaultedRun): string {
  const counts = new Map<string, number>();
  for (const r of run.load.recommends) if (r.code !== status.OK) counts.set(codeName(r.code), (counts.get(codeName(r.code)) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${n} ${c}`).join(", ");
}

/** kill -9 and restart of one service under load. */
export function serviceKillScenario(name: ServiceName): Scenario {
  return {
    name: `kill-${name}`,
    description: `kill -9 ${name} under load, restart it`,
    run: (ctx) =>
      name === "recommender"
        ? underLoad(ctx, "kill-recommender", { exposures: "reported" }, (run) => killRecommender(ctx, run))
        : underLoad(ctx, `kill-${name}`, { exposures: "required" }, (run) => killDependency(ctx, name, run)),
  };
}
