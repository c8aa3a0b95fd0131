import { Duration } from "../../gen/google/protobuf/duration.js";
import type { Interaction as ProtoInteraction } from "../../gen/recmesh/common/v1/interaction.js";
import {
  DegradedComponent,
  RecommendResponse,
  type RecommendedItem,
} from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { SourceStatus } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import { interactionKindOf } from "../kit/events/interaction-kinds.js";
import type { Recommendation } from "./pipeline/recommend-pipeline.js";
import type { Degraded, SourceReport } from "./pipeline/types.js";
import type { InteractionInput } from "./tracking/interaction.js";

const DEGRADED: Record<Degraded, DegradedComponent> = {
  experiment: DegradedComponent.DEGRADED_COMPONENT_EXPERIMENT,
  features: DegradedComponent.DEGRADED_COMPONENT_FEATURES,
  candidates: DegradedComponent.DEGRADED_COMPONENT_CANDIDATES,
  ranking: DegradedComponent.DEGRADED_COMPONENT_RANKING,
  load: DegradedComponent.DEGRADED_COMPONENT_LOAD,
};

const SOURCE_STATUS: Record<SourceReport["status"], SourceStatus> = {
  ok: SourceStatus.SOURCE_STATUS_OK,
  timed_out: SourceStatus.SOURCE_STATUS_TIMED_OUT,
  skipped: SourceStatus.SOURCE_STATUS_SKIPPED,
  failed: SourceStatus.SOURCE_STATUS_FAILED,
};

function duration(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function interactionInput(i: ProtoInteraction | undefined): InteractionInput {
  return {
    eventId: i?.eventId ?? "",
    userId: i?.userId ?? "",
    itemId: i?.itemId ?? "",
    kind: i ? interactionKindOf(i.type) : undefined,
    occurredAt: i?.occurredAt,
    requestId: i?.requestId ?? "",
    surface: i?.surface ?? "",
    value: i?.value ?? 0,
    attributes: i?.attributes ?? {},
  };
}

export function recommendResponse(r: Recommendation, explain: boolean): RecommendResponse {
  const items: RecommendedItem[] = r.items.map((i) => ({ itemId: i.itemId, score: i.score, sources: i.sources, category: i.category }));
  return RecommendResponse.fromPartial({
    requestId: r.requestId,
    items,
    assignments: r.assignments,
    model: r.model,
    degraded: r.degraded.map((d) => DEGRADED[d]),
    explanation: explain
      ? {
          stages: r.stages.map((s) => ({
            stage: s.stage,
            duration: duration(s.durationMs),
            inputCount: s.inputCount,
            outputCount: s.outputCount,
            removed: s.removed,
            notes: s.notes,
          })),
          sources: r.sources.map((s) => ({
            source: s.source,
            status: SOURCE_STATUS[s.status],
            reason: s.reason,
            returned: s.returned,
            latency: duration(s.latencyMs),
          })),
          featuresUsed: r.featuresUsed,
          rawScores: r.ranked.map((c) => ({ itemId: c.itemId, score: c.score, retrievalScore: c.retrievalScore })),
        }
      : undefined,
  });
}
