import { setTimeout as sleep } from "node:timers/promises";
import { status } from "@grpc/grpc-js";
import { scrape, total } from "../harness/admin-metrics.js";
import { closedLoopRamp } from "../harness/closed-loop-ramp.js";
import { mebibytes, RssSampler } from "../harness/rss-sampler.js";
import { keepsAnswering, underLoad } from "./faulted-load.js";
import { check, type Scenario, type ScenarioContext, type ScenarioResult } from "./scenario.js";

const FACTOR = 3;

async function overload(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { stack, settings } = ctx;
  const o = settings.overload;
  const ramp = await closedLoopRamp(stack.address("recommender"), stack.worldUsers, o.rampLevels, o.rampStepMs, settings.deadlineMs);
  const rate = Math.max(1, Math.round(FACTOR * ramp.saturationRps));
  ctx.log(`overload: saturation ≈ ${ramp.saturationRps.toFixed(0)} answers/s (${ramp.steps.map((s) => `${s.concurrency}→${s.answeredPerSecond.toFixed(0)}`).join(", ")}); driving ${rate}/s`);
  const pid = stack.pid("recommender");
  if (pid === undefined) throw new Error("the recommender is not running");
  const shedBefore = total(await scrape(stack.adminUrl("recommender")), "recmesh_recommender_shed_total");
  const rss = new RssSampler(pid);
  // In flight at most: every call the deadline allows at this rate, so the client never limits the overload itself.
  const maxInFlight = Math.ceil((rate * settings.deadlineMs) / 1000) + 64;
  return underLoad(ctx, "overload", { load: { recommendRps: rate, maxInFlight }, exposures: "required" }, async (run) => {
    await sleep(o.loadMs);
    rss.stop();
    const shedByServer = total(await scrape(stack.adminUrl("recommender")), "recmesh_recommender_shed_total") - shedBefore;
    const calls = run.load.recommends;
    const shed = calls.filter((r) => r.code === status.RESOURCE_EXHAUSTED).length;
    const growth = rss.peak - rss.baseline;
    return {
      checks: [
        check("excess shed with RESOURCE_EXHAUSTED", shed > 0 && shedByServer >= shed, `${shed} shed (server counted ${shedByServer})`),
        keepsAnswering(run, settings, "accepted requests answered within their deadline", (code) => code === status.RESOURCE_EXHAUSTED),
        check("recommender RSS bounded", growth <= o.rssBoundBytes, `${mebibytes(rss.baseline)} → peak ${mebibytes(rss.peak)} (bound +${mebibytes(o.rssBoundBytes)})`),
      ],
      facts: {
        saturation: `${ramp.saturationRps.toFixed(0)} answers/s at concurrency ≤ ${Math.max(...o.rampLevels)}`,
        "offered load": `${rate}/s open loop (${FACTOR}×), max concurrency ${o.maxConcurrency}`,
        "recommender RSS": `${mebibytes(rss.baseline)} → peak ${mebibytes(rss.peak)} → ${mebibytes(rss.last)}`,
      },
    };
  });
}

/**
 * Overload at 3× saturation: the recommender, limited to a few concurrent
 * requests, sheds the excess with RESOURCE_EXHAUSTED at once, answers what it
 * accepts within the deadline, and its memory stays bounded.
 */
export const overloadScenario: Scenario = {
  name: "overload",
  description: `${FACTOR}× saturation, open loop`,
  run: async (ctx) => {
    await ctx.stack.reconfigure("recommender", { RECMESH_RECOMMENDER_MAX_CONCURRENCY: String(ctx.settings.overload.maxConcurrency) });
    try {
      return await overload(ctx);
    } finally {
      await ctx.stack.reconfigure("recommender", undefined);
    }
  },
};
