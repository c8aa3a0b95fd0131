import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { SessionRequest, type RecommenderServiceClient, type SessionResponse } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { latencyHistogram, percentileCurve, summarize } from "../latency-histogram.js";
import type { PhaseResult } from "../phase-result.js";
import { cycle } from "../rank-workload.js";

const PARALLEL_SESSIONS = 4;
const WAIT_MS = 5_000;

export interface SessionResults {
  /** Interaction sent → the fresh list that excludes the clicked item arrives (includes the server's refresh delay). */
  update: PhaseResult;
}

type Event = NonNullable<SessionResponse["event"]>;

/** Reads a Session stream's answers one at a time, each within WAIT_MS. */
function reader(stream: AsyncIterable<SessionResponse>) {
  const it = stream[Symbol.asyncIterator]();
  return async <C extends Event["$case"]>(wanted: C): Promise<Extract<Event, { $case: C }>> => {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([
        it.next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no ${wanted} within ${WAIT_MS} ms`)), WAIT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      if (next.done) throw new Error(`the session ended before a ${wanted}`);
      const event = next.value.event;
      if (event?.$case === "error") throw new Error(`session error: ${event.value.message}`);
      if (event?.$case === wanted) return event as Extract<Event, { $case: C }>;
    }
  };
}

/**
 * Session update latency: a few live sessions in parallel; in each, click the
 * top item of the current list and time until the next list arrives, which
 * must no longer contain it.
 */
export async function sessionPhase(client: RecommenderServiceClient, users: string[], samples: number, runId: string): Promise<SessionResults> {
  const h = latencyHistogram();
  let errors = 0;
  const errorSamples = new Set<string>();
  const started = performance.now();
  const perSession = Math.ceil(samples / PARALLEL_SESSIONS);
  await Promise.all(
    Array.from({ length: PARALLEL_SESSIONS }, async (_, s) => {
      const userId = cycle(users, 31 + s * 997);
      const stream = client.session({ deadline: Date.now() + 120_000 });
      const next = reader(stream);
      try {
        stream.write(SessionRequest.fromPartial({ action: { $case: "start", value: { userId, count: 20, surface: "home" } } }));
        let items = (await next("recommendations")).value.items;
        for (let n = 0; n < perSession; n++) {
          const clicked = items[0]?.itemId;
          if (!clicked) throw new Error("an empty list");
          const sent = performance.now();
          const interaction = { eventId: `bench-session-${runId}-${s}-${n}`, itemId: clicked, type: InteractionType.INTERACTION_TYPE_CLICK, occurredAt: new Date() };
          stream.write(SessionRequest.fromPartial({ action: { $case: "interaction", value: interaction } }));
          await next("tracked");
          items = (await next("recommendations")).value.items;
          if (items.some((i) => i.itemId === clicked)) throw new Error(`the fresh list still holds the clicked ${clicked}`);
          h.recordValue(Math.round((performance.now() - sent) * 1000));
        }
      } catch (err) {
        errors++;
        if (errorSamples.size < 5) errorSamples.add(err instanceof Error ? err.message : String(err));
      } finally {
        stream.end();
        stream.cancel();
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  return {
    update: {
      latency: summarize(h),
      curve: percentileCurve(h),
      completed: h.totalCount,
      errors,
      errorSamples: [...errorSamples],
      elapsedMs,
      throughput: (h.totalCount / elapsedMs) * 1000,
    },
  };
}
