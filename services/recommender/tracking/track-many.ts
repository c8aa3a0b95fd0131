import type { Published } from "../../kit/events/event-publisher.js";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import type { StatusObject } from "../../kit/errors/status.js";
import type { Interaction } from "./interaction.js";

export interface TrackManyError {
  index: number;
  code: number;
  message: string;
  field: string;
}

export interface TrackManySummary {
  accepted: number;
  rejected: number;
  duplicates: number;
  errors: TrackManyError[];
}

export interface TrackManyDeps<I> {
  validate(raw: I, index: number): Interaction;
  publish(i: Interaction): Promise<Published>;
  /** Publishes awaiting their JetStream acknowledgement at once. */
  concurrency: number;
  toError(err: unknown): StatusObject;
}

const MAX_REPORTED_ERRORS = 100;

/**
 * Stores a stream of interaction batches with many publishes in flight and
 * answers once every one of them is acknowledged by JetStream (or failed): an
 * interaction counts as accepted only when stored. Bad ones are rejected with
 * their index and reason; the rest go on.
 */
export async function trackMany<I>(batches: AsyncIterable<{ interactions: I[] }>, deps: TrackManyDeps<I>): Promise<TrackManySummary> {
  const summary: TrackManySummary = { accepted: 0, rejected: 0, duplicates: 0, errors: [] };
  const inFlight = new Set<Promise<void>>();
  const reject = (index: number, err: unknown) => {
    summary.rejected++;
    if (summary.errors.length >= MAX_REPORTED_ERRORS) return;
    const s = deps.toError(err);
    summary.errors.push({ index, code: s.code, message: s.details, field: err instanceof InvalidArgumentError ? err.field : "" });
  };
  let index = 0;
  for await (const batch of batches) {
    for (const raw of batch.interactions) {
      const at = index++;
      let interaction: Interaction;
      try {
        interaction = deps.validate(raw, at);
      } catch (err) {
        reject(at, err);
        continue;
      }
      const p: Promise<void> = deps.publish(interaction).then(
        (ack) => {
          summary.accepted++;
          if (ack.duplicate) summary.duplicates++;
        },
        (err: unknown) => reject(at, err),
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= deps.concurrency) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  return summary;
}
