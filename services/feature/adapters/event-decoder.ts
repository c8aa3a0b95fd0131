import { FeaturesUpdatedEvent } from "../../../gen/recmesh/events/v1/features_updated_event.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../../gen/recmesh/events/v1/item_upserted_event.js";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { PoisonEventError } from "../../kit/events/event-errors.js";
import { interactionKindOf } from "../../kit/events/interaction-kinds.js";
import type { ProtoCodec } from "../../kit/events/proto-codec.js";
import { SUBJECTS } from "../../kit/events/subjects.js";
import type { FeatureEvent, InteractionKind } from "../domain/feature-events.js";
import { validateWrite } from "../domain/write-validation.js";
import type { FeatureRegistry } from "../registry/feature-registry.js";
import { writeInputFromProto } from "./proto-mapping.js";

const INTERACTION_PREFIX = SUBJECTS.allInteractions.replace("*", "");

export interface RawStreamEvent {
  subject: string;
  data: Uint8Array;
  sequence: number;
  publishedAtMs: number;
}

/**
 * Turns a stream message into the event the projection applies; undefined for
 * subjects the feature store does not project (exposures, experiments). An
 * event that can never be applied (undecodable, missing ids, unknown view or
 * feature, wrong embedding size) throws PoisonEventError, to be dead-lettered.
 * Event time is the time the event says it happened, else its publish time:
 * both come from the stream, so replay computes the same rows.
 */
export class FeatureEventDecoder {
  constructor(
    private readonly registry: FeatureRegistry,
    private readonly embeddingDimension: number,
  ) {}

  decode(raw: RawStreamEvent): FeatureEvent | undefined {
    if (raw.subject === SUBJECTS.itemUpserted) return this.itemUpserted(raw);
    if (raw.subject.startsWith(INTERACTION_PREFIX)) return this.interaction(raw);
    if (raw.subject === SUBJECTS.featuresUpdated) return this.featuresUpdated(raw);
    return undefined;
  }

  private itemUpserted(raw: RawStreamEvent): FeatureEvent {
    const ev = decodeOrPoison(ItemUpsertedEvent, raw);
    const item = ev.item;
    if (!item?.itemId) throw new PoisonEventError("item upsert without item.item_id");
    const dims = item.embedding.length;
    if (dims !== 0 && dims !== this.embeddingDimension) {
      throw new PoisonEventError(`item ${item.itemId} has a ${dims}-dimensional embedding; item_content:embedding has ${this.embeddingDimension}`);
    }
    if (!item.embedding.every(Number.isFinite)) throw new PoisonEventError(`item ${item.itemId} has a non-finite embedding value`);
    return {
      kind: "item_upserted",
      sequence: raw.sequence,
      timeMs: ev.occurredAt?.getTime() ?? item.createdAt?.getTime() ?? raw.publishedAtMs,
      itemId: item.itemId,
      category: item.category,
      embedding: dims === 0 ? undefined : Float32Array.from(item.embedding),
    };
  }

  private interaction(raw: RawStreamEvent): FeatureEvent {
    const ev = decodeOrPoison(InteractionEvent, raw);
    const i = ev.interaction;
    if (!i) throw new PoisonEventError("interaction event without an interaction");
    if (!i.userId || !i.itemId) throw new PoisonEventError(`interaction ${ev.eventId} lacks ${i.userId ? "item_id" : "user_id"}`);
    const kind = interactionKindOf(i.type);
    if (!kind) throw new PoisonEventError(`interaction ${ev.eventId} has no known type (${String(i.type)})`);
    if (!Number.isFinite(i.value)) throw new PoisonEventError(`interaction ${ev.eventId} has a non-finite value`);
    return {
      kind: "interaction",
      sequence: raw.sequence,
      timeMs: i.occurredAt?.getTime() ?? ev.receivedAt?.getTime() ?? raw.publishedAtMs,
      userId: i.userId,
      itemId: i.itemId,
      interaction: kind,
      value: i.value,
    };
  }

  private featuresUpdated(raw: RawStreamEvent): FeatureEvent {
    const ev = decodeOrPoison(FeaturesUpdatedEvent, raw);
    try {
      const valid = validateWrite(this.registry, ev.view, writeInputFromProto(ev.entities), {
        maxEntities: Number.MAX_SAFE_INTEGER,
        nowMs: ev.updatedAt?.getTime() ?? raw.publishedAtMs,
      });
      return { kind: "features_written", sequence: raw.sequence, view: valid.view.name, entities: valid.entities };
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw new PoisonEventError(`features update ${ev.eventId}: ${err.message}`);
      throw err;
    }
  }
}

function decodeOrPoison<T>(codec: ProtoCodec<T>, raw: RawStreamEvent): T {
  try {
    return codec.decode(raw.data);
  } catch (err) {
    throw new PoisonEventError(`undecodable ${raw.subject} event: ${err instanceof Error ? err.message : String(err)}`);
  }
}
