import { DeliverPolicy, JetStreamApiError, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { FailedPreconditionError } from "../../kit/errors/errors.js";
import { PoisonEventError } from "../../kit/events/event-errors.js";
import { EVENTS_STREAM } from "../../kit/events/subjects.js";
import { AGGREGATOR_DURABLE } from "../adapters/feature-aggregator.js";
import type { FeatureEventDecoder } from "../adapters/event-decoder.js";
import type { FeatureKeyspace } from "../adapters/redis-keyspace.js";
import type { FeatureEvent } from "../domain/feature-events.js";
import type { FeatureProjector } from "../domain/feature-projector.js";

export interface ReplayOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  keyspace: FeatureKeyspace;
  decoder: FeatureEventDecoder;
  projector: FeatureProjector;
  /** Delete existing feature rows first; without it the projection must be empty. */
  flush: boolean;
  /** Replay even though the live aggregator looks active. */
  force: boolean;
  /** Events per read-apply-write round trip. */
  batchSize: number;
  /** Called after each batch with stream messages done and the total to do. */
  onProgress?: (done: number, total: number) => void;
  /** Called once before the replay starts, with the number of rows flushed. */
  onFlushed?: (deleted: number) => void;
}

export interface ReplaySummary {
  /** Stream messages read. */
  messages: number;
  /** Events applied to the projection. */
  applied: number;
  /** Events of subjects the feature store does not project. */
  ignored: number;
  /** Poison events skipped (the live aggregator dead-lettered them too). */
  poison: number;
  rowsWritten: number;
  lastSequence: number;
}

/**
 * Rebuilds the Redis projection from the EVENTS stream, from its first
 * retained event up to the last one present when the replay starts, with the
 * same decoder and projector as the live aggregator (applied in batches). A
 * running aggregator would race it, so replay refuses while the aggregator's
 * durable has pull requests waiting, unless forced; after it, the aggregator
 * resumes from its own position and skips what replay already applied.
 */
export async function replayProjection(options: ReplayOptions): Promise<ReplaySummary> {
  await refuseWhileAggregating(options);
  if (options.flush) options.onFlushed?.(await options.keyspace.deleteRows());
  else if (await options.keyspace.hasRows()) {
    throw new FailedPreconditionError("Redis already holds feature rows (keys feat:*): replay rebuilds into an empty projection; pass --flush to delete them first");
  }
  const { state } = await options.jsm.streams.info(EVENTS_STREAM);
  const summary: ReplaySummary = { messages: 0, applied: 0, ignored: 0, poison: 0, rowsWritten: 0, lastSequence: state.last_seq };
  if (state.messages === 0) return summary;
  const total = state.last_seq - state.first_seq + 1;
  const consumer = await options.js.consumers.get(EVENTS_STREAM, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: state.first_seq,
  });
  const messages = await consumer.consume({ max_messages: Math.max(options.batchSize * 2, 256) });
  let batch: FeatureEvent[] = [];
  const flushBatch = async (sequence: number) => {
    summary.rowsWritten += await options.projector.apply(batch);
    summary.applied += batch.length;
    batch = [];
    options.onProgress?.(sequence - state.first_seq + 1, total);
  };
  try {
    for await (const m of messages) {
      summary.messages++;
      try {
        const event = options.decoder.decode({ subject: m.subject, data: m.data, sequence: m.seq, publishedAtMs: Math.floor(m.info.timestampNanos / 1e6) });
        if (event) batch.push(event);
        else summary.ignored++;
      } catch (err) {
        if (!(err instanceof PoisonEventError)) throw err;
        summary.poison++;
      }
      const last = m.seq >= state.last_seq;
      if (batch.length >= options.batchSize || last) await flushBatch(m.seq);
      if (last) break;
    }
  } finally {
    await messages.close();
  }
  return summary;
}

async function refuseWhileAggregating(options: ReplayOptions): Promise<void> {
  if (options.force) return;
  try {
    const info = await options.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE);
    if (info.num_waiting > 0) {
      throw new FailedPreconditionError(
        `the feature aggregator is running (durable ${AGGREGATOR_DURABLE} has ${info.num_waiting} pull requests waiting): stop the feature service first, or pass --force`,
      );
    }
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === 10014) return;
    throw err;
  }
}
