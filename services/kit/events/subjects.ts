import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";

/** Stream holding every domain event; the source of truth the stores are projections of. */
export const EVENTS_STREAM = "EVENTS";
/** Stream of model lifecycle announcements. */
export const MODELS_STREAM = "MODELS";
/** Stream of dead-lettered (poison) messages, one subject per consumer. */
export const DLQ_STREAM = "DLQ";

export const SUBJECTS = {
  allEvents: "recmesh.events.>",
  allInteractions: "recmesh.events.interaction.*",
  itemUpserted: "recmesh.events.item.upserted",
  exposure: "recmesh.events.exposure",
  featuresUpdated: "recmesh.events.features.updated",
  experimentChanged: "recmesh.events.experiment.changed",
  allModels: "recmesh.models.>",
  modelPublished: "recmesh.models.published",
  allDeadLetters: "recmesh.dlq.>",
} as const;

/** recmesh.events.interaction.<type>, e.g. recmesh.events.interaction.add_to_cart. */
export function interactionSubject(type: InteractionType): string {
  const name = InteractionType[type];
  if (type === InteractionType.INTERACTION_TYPE_UNSPECIFIED || name === undefined || type === InteractionType.UNRECOGNIZED) {
    throw new Error(`interaction type ${String(type)} has no subject`);
  }
  return `recmesh.events.interaction.${name.replace("INTERACTION_TYPE_", "").toLowerCase()}`;
}

/** Where a consumer dead-letters poison messages. */
export function deadLetterSubject(consumer: string): string {
  return `recmesh.dlq.${consumer}`;
}

/** Object Store bucket of the model registry. */
export const MODEL_BUCKET = "models";
/** KV bucket of experiment definitions. */
export const EXPERIMENT_BUCKET = "experiments";
