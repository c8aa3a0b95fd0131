import { randomUUID } from "node:crypto";
import { FeaturesUpdatedEvent } from "../../../gen/recmesh/events/v1/features_updated_event.js";
import { UnavailableError } from "../../kit/errors/errors.js";
import type { EventPublisher } from "../../kit/events/event-publisher.js";
import { EVENTS_STREAM, SUBJECTS } from "../../kit/events/subjects.js";
import { validateWrite, type WriteInputEntity } from "../domain/write-validation.js";
import type { FeatureRegistry } from "../registry/feature-registry.js";
import type { FeatureAggregator } from "./feature-aggregator.js";
import { writtenToProto } from "./proto-mapping.js";

export interface WriteResult {
  writtenEntities: number;
  eventId: string;
}

/**
 * The command path for features computed elsewhere. A write becomes a
 * FeaturesUpdatedEvent on the stream first (so replay rebuilds it) and is then
 * applied by the aggregator in stream order, like every other event: applying
 * it here, ahead of older events still queued for the same rows, would make
 * those look already applied. With an aggregator in this process the call
 * returns once the write is readable; without one (a read-only replica) it
 * returns once the event is durable.
 */
export class FeatureWriter {
  constructor(
    private readonly registry: FeatureRegistry,
    private readonly publisher: EventPublisher,
    private readonly aggregator: FeatureAggregator | undefined,
    private readonly maxEntities: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async write(viewName: string, entities: WriteInputEntity[], source: string, signal: AbortSignal): Promise<WriteResult> {
    const now = this.clock();
    const valid = validateWrite(this.registry, viewName, entities, { maxEntities: this.maxEntities, nowMs: now });
    const eventId = randomUUID();
    const event: FeaturesUpdatedEvent = {
      eventId,
      view: valid.view.name,
      entities: writtenToProto(valid.view, valid.entities),
      source,
      updatedAt: new Date(now),
    };
    let sequence: number;
    try {
      ({ sequence } = await this.publisher.publish(SUBJECTS.featuresUpdated, FeaturesUpdatedEvent, event, { msgId: eventId, stream: EVENTS_STREAM }));
    } catch (err) {
      throw new UnavailableError("event stream (NATS JetStream) is unavailable: the write was not recorded", { cause: err });
    }
    await this.aggregator?.whenApplied(sequence, signal);
    return { writtenEntities: valid.entities.length, eventId };
  }
}
