import { JetStreamApiError, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { EventConsumer, type EventMeta } from "../../kit/events/event-consumer.js";
import { PoisonEventError } from "../../kit/events/event-errors.js";
import { EVENTS_STREAM, SUBJECTS } from "../../kit/events/subjects.js";
import type { ServiceMetrics } from "../../kit/telemetry/metrics.js";
import type { CandidateIndex } from "../index/candidate-index.js";
import { decodeIndexEvent } from "./index-event-decoder.js";
import { RAW_EVENT_CODEC } from "./raw-event-codec.js";
import type { SerialGate } from "./serial-gate.js";

export interface IndexerSettings {
  /** Durable name, one per service instance: each instance keeps its own in-memory index. */
  durable: string;
  /** The server removes the durable of an instance gone this long. */
  inactiveThresholdMs: number;
  dimension: number;
}

/** JetStream "consumer not found". */
const CONSUMER_NOT_FOUND = 10014;

/**
 * Keeps the candidate index current: one durable consumer over every EVENTS
 * subject (stream order across items and interactions), started just after
 * the sequence the index already holds, so a restart from a snapshot replays
 * only the tail. Redeliveries at or below the applied sequence are acked
 * without effect. An event that fails to apply is dead-lettered rather than
 * retried after later events (in-memory application is deterministic; a retry
 * would fail the same way, or apply out of order).
 */
export class CandidateIndexer {
  private readonly consumer: EventConsumer<Uint8Array>;
  private readonly events;
  private readonly items;
  private readonly users;
  private deliveredThrough = 0;
  private waiters: { sequence: number; resolve: () => void }[] = [];

  constructor(
    private readonly jsm: JetStreamManager,
    js: JetStreamClient,
    private readonly index: CandidateIndex,
    private readonly gate: SerialGate,
    private readonly settings: IndexerSettings,
    private readonly logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.events = metrics.counter("recmesh_candidate_index_events_total", "Events seen by the candidate indexer, by outcome.", ["outcome"]);
    this.items = metrics.gauge("recmesh_candidate_index_items", "Items in the candidate index (ANN vectors).");
    this.users = metrics.gauge("recmesh_candidate_index_users", "Users with a history in the candidate index.");
    this.items.set(index.vectors.size);
    this.users.set(index.histories.size);
    this.consumer = new EventConsumer(
      js,
      jsm,
      {
        stream: EVENTS_STREAM,
        durable: settings.durable,
        filterSubject: SUBJECTS.allEvents,
        codec: RAW_EVENT_CODEC,
        startSequence: index.lastSequence + 1,
        inactiveThresholdMs: settings.inactiveThresholdMs,
        inOrder: true,
      },
      (data, meta) => this.handle(data, meta),
      logger.child({ component: "indexer" }),
      metrics,
    );
  }

  /** Recreates this instance's durable at the index's sequence + 1 (its old position may be ahead of a snapshot) and starts it. */
  async start(): Promise<void> {
    try {
      await this.jsm.consumers.delete(EVENTS_STREAM, this.settings.durable);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND)) throw err;
    }
    this.logger.info({ durable: this.settings.durable, fromSequence: this.index.lastSequence + 1 }, "candidate indexer starting");
    await this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** Resolves once every event up to `sequence` has been delivered and handled here. */
  whenDelivered(sequence: number): Promise<void> {
    if (Math.max(this.deliveredThrough, this.index.lastSequence) >= sequence) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ sequence, resolve }));
  }

  private async handle(data: Uint8Array, meta: EventMeta): Promise<void> {
    try {
      await this.gate.run(() => this.apply(data, meta));
    } finally {
      this.deliveredThrough = Math.max(this.deliveredThrough, meta.sequence);
      const ready = this.waiters.filter((w) => w.sequence <= this.deliveredThrough);
      this.waiters = this.waiters.filter((w) => w.sequence > this.deliveredThrough);
      for (const w of ready) w.resolve();
    }
  }

  private apply(data: Uint8Array, meta: EventMeta): void {
    if (meta.sequence <= this.index.lastSequence) {
      this.events.inc({ outcome: "duplicate" });
      return;
    }
    const event = decodeIndexEvent(meta.subject, data, meta.publishedAtMs, this.settings.dimension);
    try {
      this.index.apply(meta.sequence, event);
    } catch (err) {
      throw new PoisonEventError(`applying ${meta.subject} #${meta.sequence} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.events.inc({ outcome: event?.kind ?? "ignored" });
    if (event?.kind === "item") this.items.set(this.index.vectors.size);
    else if (event?.kind === "interaction") this.users.set(this.index.histories.size);
  }
}
