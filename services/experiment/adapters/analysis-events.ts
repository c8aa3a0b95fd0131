import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { ExposureEvent } from "../../../gen/recmesh/events/v1/exposure_event.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { PoisonEventError } from "../../kit/events/event-errors.js";
import { SUBJECTS } from "../../kit/events/subjects.js";
import type { ExposureRecord, InteractionRecord } from "../domain/results-store.js";

const INTERACTION_SUBJECT_PREFIX = "recmesh.events.interaction.";

/** What the analyzer takes from one event of the EVENTS stream. */
export type AnalysisEvent = { kind: "exposure"; exposure: ExposureRecord } | { kind: "interaction"; interaction: InteractionRecord } | { kind: "ignored" };

/**
 * Decodes an event by its subject into what the analysis needs. Exposures
 * without an experiment and forced (QA) exposures are ignored: only randomised
 * assignments are analysed. Undecodable events and events without a user are
 * poison (dead-lettered).
 */
export function toAnalysisEvent(subject: string, data: Uint8Array, publishedAtMs: number): AnalysisEvent {
  if (subject === SUBJECTS.exposure) {
    const e = decode(() => ExposureEvent.decode(data));
    const a = e.assignment;
    if (!a || a.experiment === "" || a.forced) return { kind: "ignored" };
    if (e.userId === "") throw new PoisonEventError("exposure event without a user id");
    if (a.variant === "") throw new PoisonEventError("exposure event without a variant");
    return { kind: "exposure", exposure: { experiment: a.experiment, variant: a.variant, userId: e.userId, atMs: e.exposedAt?.getTime() ?? publishedAtMs } };
  }
  if (subject.startsWith(INTERACTION_SUBJECT_PREFIX)) {
    const event = decode(() => InteractionEvent.decode(data));
    const i = event.interaction;
    if (!i || i.type === InteractionType.INTERACTION_TYPE_UNSPECIFIED) return { kind: "ignored" };
    const name = InteractionType[i.type];
    if (name === undefined || i.type === InteractionType.UNRECOGNIZED) return { kind: "ignored" };
    if (i.userId === "") throw new PoisonEventError("interaction event without a user id");
    const atMs = i.occurredAt?.getTime() ?? event.receivedAt?.getTime() ?? publishedAtMs;
    return { kind: "interaction", interaction: { userId: i.userId, type: name.replace("INTERACTION_TYPE_", ""), atMs } };
  }
  return { kind: "ignored" };
}

function decode<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new PoisonEventError(`undecodable event: ${err instanceof Error ? err.message : String(err)}`);
  }
}
