import { setTimeout as sleep } from "node:timers/promises";
import { status } from "@grpc/grpc-js";
import { codeName } from "../harness/call-log.js";
import { eventually, keepsAnswering, underLoad } from "./faulted-load.js";
import { check, type Scenario } from "./scenario.js";

/**
 * kill -9 of nats-server (JetStream file store) under load, then a restart on
 * the same port and store. Recommend needs no NATS; Track fails while it is
 * down and the client retries with the same event id; exposures wait in the
 * recommender's queue. Afterwards every acknowledged Track must be in EVENTS,
 * applied once, and every answered request's exposure delivered.
 */
export const natsKillScenario: Scenario = {
  name: "kill-nats",
  description: "kill -9 nats-server under load, restart it",
  run: (ctx) =>
    underLoad(ctx, "kill-nats", { exposures: "required" }, async (run) => {
      const { stack, settings } = ctx;
      const nats = stack.infra.nats;
      if (!nats) throw new Error("kill-nats needs the launcher's own nats-server");
      await sleep(settings.steadyMs);
      await nats.process.kill();
      const killedAt = Date.now();
      ctx.log(`kill-nats: killed -9; load continues for ${settings.outageMs} ms`);
      await sleep(settings.outageMs);
      await nats.restart();
      const backAt = Date.now();
      const tracking = await eventually(
        () => run.load.tracks.some((t) => t.acked && t.firstAttemptAt >= backAt),
        settings.recoverTimeoutMs,
      );
      const trackingAt = Date.now();
      ctx.log(`kill-nats: restarted; new Tracks acknowledged again: ${tracking}`);
      await sleep(settings.steadyMs);
      const failedDuring = run.load.tracks.filter((t) => t.failures.length > 0).length;
      const trackCodes = new Set(run.load.tracks.flatMap((t) => t.failures));
      const wrongCodes = [...trackCodes].filter((c) => c !== status.UNAVAILABLE && c !== status.DEADLINE_EXCEEDED).map(codeName);
      return {
        checks: [
          keepsAnswering(run, settings, "Recommend keeps answering (no NATS on the request path)"),
          check("Track fails while NATS is down", failedDuring > 0, `${failedDuring} Tracks needed a retry`),
          check("Track works again after the restart", tracking, ""),
          check("Track fails as UNAVAILABLE (or at its deadline), never INTERNAL", wrongCodes.length === 0, [...trackCodes].map(codeName).join(", ")),
        ],
        facts: {
          "NATS down": `${backAt - killedAt} ms`,
          "restart to first new Track acked": `${trackingAt - backAt} ms`,
          "Tracks retried": String(failedDuring),
          "Track failure codes": [...trackCodes].map(codeName).join(", ") || "none",
        },
      };
    }),
};
