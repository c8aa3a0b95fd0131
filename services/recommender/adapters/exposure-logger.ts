import { ExposureEvent } from "../../../gen/recmesh/events/v1/exposure_event.js";
import type { EventPublisher } from "../../kit/events/event-publisher.js";
import { exposureMessageId, exposuresToLog } from "../../experiment/exposure.js";
import { EVENTS_STREAM, SUBJECTS } from "../../kit/events/subjects.js";
import type { SideEffect } from "../pipeline/ports.js";
import type { Recommendation } from "../pipeline/recommend-pipeline.js";
import type { RetryingQueue } from "../tracking/retrying-queue.js";

export interface PendingExposure {
  msgId: string;
  event: ExposureEvent;
}

/**
 * One exposure event per (request, experiment) actually used — forced (QA or
 * fallback) assignments are never logged — or one without an assignment when no
 * experiment applied. Queued off the response path and retried through NATS
 * outages; the message id makes a retried publish land once.
 */
export function exposuresOf(r: Recommendation, now: Date): PendingExposure[] {
  const base = {
    requestId: r.requestId,
    userId: r.userId,
    surface: r.surface,
    itemIds: r.items.map((i) => i.itemId),
    model: r.model,
    exposedAt: now,
  };
  const used = exposuresToLog(r.assignments);
  if (used.length === 0) return [{ msgId: exposureMessageId(r.requestId, ""), event: ExposureEvent.fromPartial(base) }];
  return used.map((a) => ({ msgId: exposureMessageId(r.requestId, a.experiment), event: ExposureEvent.fromPartial({ ...base, assignment: a }) }));
}

export class ExposureLogger implements SideEffect<Recommendation> {
  readonly id = "ExposureLogger";

  constructor(
    private readonly queue: RetryingQueue<PendingExposure>,
    private readonly onDropped: () => void,
  ) {}

  run(r: Recommendation): void {
    if (r.items.length === 0) return;
    for (const e of exposuresOf(r, new Date())) if (!this.queue.enqueue(e)) this.onDropped();
  }
}

/** The publish function behind the exposure queue. */
export function publishExposure(publisher: EventPublisher): (e: PendingExposure) => Promise<void> {
  return async (e) => {
    await publisher.publish(SUBJECTS.exposure, ExposureEvent, e.event, { msgId: e.msgId, stream: EVENTS_STREAM, timeoutMs: 2_000 });
  };
}
