import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
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

/**
 * The live projection: one durable consumer over every EVENTS subject, so item
 * upserts, interactions and feature writes are applied in stream order (a
 * taste update reads the item's content as of that point in the stream).
 * Redis down pauses it on the event in hand, unacked, until Redis answers;
 * poison events are dead-lettered.
 */
export class FeatureAggregator {
  private readonly consumer: EventConsumer<Uint8Array>;
  private readonly applied;
  private appliedThrough = 0;
  private waiters: { sequence: number; resolve: () => void }[] = [];

  constructor(
    js: JetStreamClient,
    jsm: JetStreamManager,
    private readonly decoder: FeatureEventDecoder,
    private readonly projector: FeatureProjector,
    storeReady: () => Promise<boolean>,
    logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.applied = metrics.counter("recmesh_feature_events_applied_total", "Events applied to the feature store, by kind.", ["kind"]);
    this.consumer = new EventConsumer(
      js,
      jsm,
      {
        stream: EVENTS_STREAM,
        durable: AGGREGATOR_DURABLE,
        filterSubject: SUBJECTS.allEvents,
        codec: RAW_EVENT_CODEC,
        dependencyReady: storeReady,
        pauseRetryMs: 200,
      },
      (data, meta) => this.handle(data, meta),
      logger.child({ component: "aggregator" }),
      metrics,
    );
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
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
