import { setTimeout as sleep } from "node:timers/promises";
import { status } from "@grpc/grpc-js";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { DegradedComponent } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { ANALYZER_DURABLE } from "../../../services/experiment/adapters/exposure-analyzer.js";
import { AGGREGATOR_DURABLE } from "../../../services/feature/adapters/feature-aggregator.js";
import { EVENTS_STREAM, SUBJECTS } from "../../../services/kit/events/subjects.js";
import { itemCounters } from "../harness/event-audit.js";
import { lastSequence, readSubject, withNats } from "../harness/stream-reader.js";
import { answeredAfter, keepsAnswering, underLoad } from "./faulted-load.js";
import { check, type Check, type Scenario } from "./scenario.js";

/** The consumers that write to Redis: while it is down they must not acknowledge what they could not apply. */
const REDIS_CONSUMERS = [AGGREGATOR_DURABLE, ANALYZER_DURABLE];
/** World items whose stored counters are compared across the restart (only the world's history touched them). */
const WORLD_SAMPLE = 20;

async function ackFloors(nc: NatsConnection): Promise<Map<string, number>> {
  const jsm = await jetstreamManager(nc);
  const floors = new Map<string, number>();
  for (const durable of REDIS_CONSUMERS) floors.set(durable, (await jsm.consumers.info(EVENTS_STREAM, durable)).ack_floor.stream_seq);
  return floors;
}

/** Sequence of the first interaction stored after `afterSeq`, if any. */
async function firstInteractionAfter(nc: NatsConnection, afterSeq: number): Promise<number | undefined> {
  let first: number | undefined;
  await readSubject(nc, SUBJECTS.allInteractions, afterSeq, (m) => {
    first ??= m.seq;
  });
  return first;
}

/**
 * Stops redis-server (graceful: its append-only file is kept) under load and
 * starts it again. While it is down, answers degrade to feature defaults and
 * the Redis-backed consumers pause on the event in hand, unacknowledged; after
 * it, features come back and every acknowledged Track is applied once.
 */
export const redisRestartScenario: Scenario = {
  name: "restart-redis",
  description: "stop redis-server under load, start it again",
  run: (ctx) =>
    underLoad(ctx, "restart-redis", { exposures: "required" }, async (run) => {
      const { stack, settings } = ctx;
      const redis = stack.infra.redis;
      if (!redis) throw new Error("restart-redis needs the launcher's own redis-server");
      await sleep(settings.steadyMs);
      const sampleItems = stack.worldItems.slice(0, WORLD_SAMPLE);
      const before = await itemCounters(stack.address("feature"), sampleItems);
      await redis.process.stop();
      // Taken once Redis is gone: whatever is stored after this cannot have been applied.
      const stoppedAtSeq = await withNats(stack.infra.natsUrl, lastSequence);
      ctx.log(`restart-redis: stopped; load continues for ${settings.outageMs} ms`);
      await sleep(settings.outageMs);
      const { floors, firstDuring } = await withNats(stack.infra.natsUrl, async (nc) => ({
        floors: await ackFloors(nc),
        firstDuring: await firstInteractionAfter(nc, stoppedAtSeq),
      }));
      await redis.restart();
      const backAt = Date.now();
      const recovered = await answeredAfter(run, backAt, (d) => d.length === 0, settings.recoverTimeoutMs);
      const healthyAt = Date.now();
      ctx.log(`restart-redis: started again; non-degraded answers: ${recovered}`);
      const after = await itemCounters(stack.address("feature"), sampleItems);
      const changed = sampleItems.filter((i) => String(before.get(i)) !== String(after.get(i)));
      await sleep(settings.steadyMs);

      const flagged = run.load.recommends.filter((r) => r.code === status.OK && r.degraded.includes(DegradedComponent.DEGRADED_COMPONENT_FEATURES)).length;
      const held: Check[] = REDIS_CONSUMERS.map((durable) => {
        const floor = floors.get(durable) ?? 0;
        return check(
          `${durable} acknowledged nothing it could not apply`,
          firstDuring !== undefined && floor < firstDuring,
          `ack floor ${floor} at the end of the outage; first interaction during it #${String(firstDuring)}`,
        );
      });
      return {
        checks: [
          keepsAnswering(run, settings, "Recommend keeps answering"),
          check("answers degraded [FEATURES] while Redis was down", flagged > 0, `${flagged} degraded answers`),
          ...held,
          check("features come back: non-degraded answers after the restart", recovered, ""),
          check("stored features survive the restart", changed.length === 0 && after.size === sampleItems.length, `${changed.length} of ${sampleItems.length} world items changed`),
        ],
        facts: { "restart to non-degraded answer": `${healthyAt - backAt} ms`, "answers with feature defaults": String(flagged) },
      };
    }),
};
