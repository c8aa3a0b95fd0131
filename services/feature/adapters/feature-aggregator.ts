import { JetStreamApiError, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { UnavailableError } from "../../kit/errors/errors.js";
import { DependencyDownError } from "../../kit/events/event-errors.js";
import { EventConsumer, type EventMeta } from "../../kit/events/event-consumer.js";
import { EVENTS_STREAM, SUBJECTS } from "../../kit/events/subjects.js";
import type { ServiceMetrics } from "../../kit/telemetry/metrics.js";
import type { FeatureProjector } from "../domain/feature-projector.js";
import type { FeatureEventDecoder } from "./event-decoder.js";
import { RAW_EVENT_CODEC } from "./raw-event-codec.js";

/** Durable name of the aggregator; its dead letters go to recmesh.dlq.feature-aggregator. */
export const AGGREGATOR_DURABLE = "feature-aggregator";

/** JetStream "consumer not found". */
const CONSUMER_NOT_FOUND = 10014;

/**
 * The live projection: one durable consumer over every EVENTS subject, so item
 * upserts, interactions and feature writes are applied in stream order (a
 * taste update reads the item's content as of that point in the stream).
 * Redis down pauses it on the event in hand, unacked, until Redis answers;
 * poison events are dead-lettered.
 *
 * Each start resumes from the durable's ack floor, in stream order. Row
 * idempotency skips an event at or below a row's newest sequence, which is
 * only sound in order: after a crash the events the old process held stay
 * pending until ack_wait, and a new process fed later events first would
 * then skip them as already applied (lost updates).
 */
export class FeatureAggregator {
  private consumer: EventConsumer<Uint8Array> | undefined;
  private readonly applied;
  private appliedThrough = 0;
  private waiters: { sequence: number; resolve: () => void }[] = [];

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly decoder: FeatureEventDecoder,
    private readonly projector: FeatureProjector,
    private readonly storeReady: () => Promise<boolean>,
    private readonly logger: Logger,
    private readonly metrics: ServiceMetrics,
  ) {
    this.applied = metrics.counter("recmesh_feature_events_applied_total", "Events applied to the feature store, by kind.", ["kind"]);
  }

  /** Recreates the durable just after its ack floor (what was applied for sure) and starts consuming. */
  async start(): Promise<void> {
    const startSequence = (await this.ackFloor()) + 1;
    this.logger.info({ durable: AGGREGATOR_DURABLE, fromSequence: startSequence }, "feature aggregator starting");
    this.consumer = new EventConsumer(
      this.js,
      this.jsm,
      {
        stream: EVENTS_STREAM,
        durable: AGGREGATOR_DURABLE,
        filterSubject: SUBJECTS.allEvents,
        codec: RAW_EVENT_CODEC,
        startSequence,
        dependencyReady: this.storeReady,
        pauseRetryMs: 200,
        inOrder: true,
      },
      (data, meta) => this.handle(data, meta),
      this.logger.child({ component: "aggregator" }),
      this.metrics,
    );
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  /**
   * The last sequence the durable applied for sure (0 when there is none),
   * after deleting it so it can be recreated just after. A durable created at
   * opt_start_seq reports an ack floor of 0 until its first ack, although
   * everything before its start was applied by the instance that created it:
   * read as 0, a restart with no event since the last one would replay the
   * whole stream.
   */
  private async ackFloor(): Promise<number> {
    try {
      const info = await this.jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE);
      const floor = Math.max(info.ack_floor.stream_seq, (info.config.opt_start_seq ?? 1) - 1);
      await this.jsm.consumers.delete(EVENTS_STREAM, AGGREGATOR_DURABLE);
      return floor;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND) return 0;
      throw err;
    }
  }

  /** Resolves once the event at `sequence` (and everything before it) has been handled here. */
  whenApplied(sequence: number, signal: AbortSignal): Promise<void> {
    if (this.appliedThrough >= sequence) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter = { sequence, resolve: () => resolve() };
      this.waiters.push(waiter);
      signal.addEventListener(
        "abort",
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  private async handle(data: Uint8Array, meta: EventMeta): Promise<void> {
    const event = this.decoder.decode({ subject: meta.subject, data, sequence: meta.sequence, publishedAtMs: meta.publishedAtMs });
    if (event) {
      try {
        await this.projector.apply([event]);
      } catch (err) {
        if (err instanceof UnavailableError) throw new DependencyDownError(err.message);
        throw err;
      }
      this.applied.inc({ kind: event.kind });
    }
    this.markApplied(meta.sequence);
  }

  private markApplied(sequence: number): void {
    this.appliedThrough = Math.max(this.appliedThrough, sequence);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.sequence <= this.appliedThrough);
    this.waiters = this.waiters.filter((w) => w.sequence > this.appliedThrough);
    for (const w of ready) w.resolve();
  }
}
