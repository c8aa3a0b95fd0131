import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { GetFeaturesRequest } from "../../../gen/recmesh/feature/v1/feature_service.js";
import { TrackRequest } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { latencyHistogram, percentileCurve, summarize } from "../latency-histogram.js";
import type { PhaseResult } from "../phase-result.js";
import { cycle } from "../rank-workload.js";
import { callDeadline, type SuiteClients } from "../suite-clients.js";

const COUNTER = "user_activity:total_interactions";
const GIVE_UP_MS = 5_000;

export interface FreshnessResults {
  /** Track sent → the feature service answers GetFeatures with the new count. */
  visible: PhaseResult;
  /** Track sent → Track acknowledged (stored in JetStream). */
  acked: PhaseResult;
  /** GetFeatures calls per sample while polling (the resolution of the measurement is one call). */
  pollsPerSample: number;
}

/**
 * Event-to-feature freshness: for one world user at a time, read the user's
 * interaction counter, Track a click through the front door, then call
 * GetFeatures back to back until the counter has moved. Sequential, on an
 * otherwise idle stack.
 */
export async function freshnessPhase(clients: SuiteClients, users: string[], items: string[], samples: number, runId: string): Promise<FreshnessResults> {
  const { recommender, feature } = clients;
  const count = async (userId: string) => {
    const res = await unaryCall(feature.getFeatures.bind(feature), GetFeaturesRequest.fromPartial({ entityIds: [userId], features: [COUNTER] }), {
      deadline: callDeadline(),
    });
    const kind = res.entities[0]?.values[0]?.value?.kind;
    return kind?.$case === "intValue" ? Number(kind.value) : kind?.$case === "floatValue" ? kind.value : 0;
  };
  const visible = latencyHistogram();
  const acked = latencyHistogram();
  let errors = 0;
  let polls = 0;
  const errorSamples = new Set<string>();
  const started = performance.now();
  for (let n = 0; n < samples; n++) {
    const userId = cycle(users, n * 7919);
    try {
      const before = await count(userId);
      const sent = performance.now();
      const interaction = {
        eventId: `bench-fresh-${runId}-${n}`,
        userId,
        itemId: cycle(items, n * 104729),
        type: InteractionType.INTERACTION_TYPE_CLICK,
        occurredAt: new Date(),
        surface: "home",
      };
      const tracking = unaryCall(recommender.track.bind(recommender), TrackRequest.fromPartial({ interaction }), { deadline: callDeadline() }).then(() =>
        acked.recordValue(Math.round((performance.now() - sent) * 1000)),
      );
      let seen = false;
      while (!seen && performance.now() - sent < GIVE_UP_MS) {
        polls++;
        seen = (await count(userId)) > before;
      }
      await tracking;
      if (!seen) throw new Error(`the counter of ${userId} did not move within ${GIVE_UP_MS} ms`);
      visible.recordValue(Math.round((performance.now() - sent) * 1000));
    } catch (err) {
      errors++;
      if (errorSamples.size < 5) errorSamples.add(err instanceof Error ? err.message : String(err));
    }
  }
  const elapsedMs = performance.now() - started;
  const result = (h: typeof visible): PhaseResult => ({
    latency: summarize(h),
    curve: percentileCurve(h),
    completed: h.totalCount,
    errors,
    errorSamples: [...errorSamples],
    elapsedMs,
    throughput: (h.totalCount / elapsedMs) * 1000,
  });
  return { visible: result(visible), acked: result(acked), pollsPerSample: polls / Math.max(1, samples) };
}
