import { setTimeout as sleep } from "node:timers/promises";
import type { Context } from "@opentelemetry/api";
import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { ServiceMetrics } from "../telemetry/metrics.js";
import { extractFromHeaders } from "../telemetry/tracing.js";
import { DependencyDownError, PoisonEventError } from "./event-errors.js";
import type { ProtoCodec } from "./proto-codec.js";
import { deadLetterSubject } from "./subjects.js";
import { ensureConsumer, isNotFound } from "./topology.js";

const NANOS_PER_MS = 1_000_000;

export interface ConsumerSettings<T> {
  stream: string;
  /** Durable name; also names the dead-letter subject recmesh.dlq.<durable>. */
  durable: string;
  /** One subject filter (nats-server 2.9 has no multi-filter consumers); wildcards allowed. */
  filterSubject: string;
  codec: ProtoCodec<T>;
  /** Deliveries before a failing event is dead-lettered (default 5). */
  maxDeliver?: number;
  /** Redelivery delay after a failure, by attempt (the last repeats). */
  retryDelaysMs?: number[];
  ackWaitMs?: number;
  /** Messages per pull (default 256). */
  batch?: number;
  /** Where a new durable starts; the default replays the whole stream. */
  deliverPolicy?: DeliverPolicy;
  /** Stream sequence a new durable starts at (implies DeliverPolicy.StartSequence), e.g. just after a projection's snapshot. */
  startSequence?: number;
  /** The server deletes the durable after this long without a consumer (instance-scoped durables). */
  inactiveThresholdMs?: number;
  /** While paused on DependencyDownError: resolves true once the dependency is back. */
  dependencyReady?: () => Promise<boolean>;
  /** Pause between retries while a dependency is down (default 500 ms). */
  pauseRetryMs?: number;
  /**
   * The handler relies on stream order. A pull that breaks (missed heartbeats,
   * a lost connection) leaves the events it delivered but not handled pending
   * until ack_wait, while the next pull hands out later ones; so after a break
   * the durable is recreated at the first event not handled for sure, and those
   * events come again, in order, before any later one.
   */
  inOrder?: boolean;
}

export interface EventMeta {
  subject: string;
  /** Stream sequence: unique and ordered, usable as an idempotency key. */
  sequence: number;
  deliveryCount: number;
  /** Nats-Msg-Id of the event, when it had one. */
  msgId: string | undefined;
  /** Publish time in epoch milliseconds. */
  publishedAtMs: number;
  /** Messages still pending for this consumer after this one. */
  pending: number;
  trace: Context;
}

export type EventHandler<T> = (event: T, meta: EventMeta) => Promise<void>;

type Outcome = "ack" | "retry" | "dead_letter" | "stopped";

/**
 * A durable, explicit-ack JetStream consumer. Each event is acked after its side
 * effect; a failure is redelivered after a delay up to maxDeliver times and then
 * dead-lettered (an event delivered more often without an ack, e.g. after
 * crashes, is dead-lettered on arrival; one whose dead-letter copy could not be
 * published is redelivered until it can be, never dropped); an undecodable or PoisonEventError event is dead-lettered at
 * once (copied to recmesh.dlq.<durable> with the reason, then terminated); a
 * DependencyDownError pauses the consumer on that event, unacked, until the
 * dependency is back.
 */
export class EventConsumer<T> {
  private stopping = false;
  /** Highest sequence known handled (acked or dead-lettered; before the start sequence), and the events handed back for a retry since. */
  private handledThrough: number | undefined;
  private readonly retrying = new Set<number>();
  private resync = false;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly outcomes;
  private readonly lag;
  private readonly handleSeconds;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly settings: ConsumerSettings<T>,
    private readonly handler: EventHandler<T>,
    private readonly logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.outcomes = metrics.counter("recmesh_events_consumed_total", "Events handled by consumer and outcome.", ["consumer", "outcome"]);
    this.lag = metrics.gauge("recmesh_consumer_pending", "Events not yet delivered to the consumer (lag).", ["consumer"]);
    this.handleSeconds = metrics.histogram("recmesh_event_handle_seconds", "Time to apply one event.", ["consumer"]);
    this.handledThrough = settings.startSequence === undefined ? undefined : settings.startSequence - 1;
  }

  get maxDeliver(): number {
    return this.settings.maxDeliver ?? 5;
  }

  /** Declares the durable consumer (idempotently) and starts consuming in the background. */
  async start(): Promise<void> {
    await ensureConsumer(this.jsm, this.settings.stream, this.consumerConfig(this.settings.startSequence));
    this.loop = this.run();
  }

  /** Stops pulling and waits for the event in hand to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    await this.loop;
  }

  private consumerConfig(startSequence: number | undefined) {
    const s = this.settings;
    return {
      durable_name: s.durable,
      ack_policy: AckPolicy.Explicit,
      ...(startSequence === undefined
        ? { deliver_policy: s.deliverPolicy ?? DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSequence }),
      ...(s.inactiveThresholdMs === undefined ? {} : { inactive_threshold: s.inactiveThresholdMs * NANOS_PER_MS }),
      filter_subject: s.filterSubject,
      // Unlimited on the server: the consumer counts deliveries itself, so an event whose dead-lettering failed on its
      // last attempt is still redelivered (and dead-lettered then) instead of being dropped by the server.
      max_deliver: -1,
      ack_wait: (s.ackWaitMs ?? 30_000) * NANOS_PER_MS,
      max_ack_pending: 4 * (s.batch ?? 256),
    };
  }

  private async run(): Promise<void> {
    let consumer = await this.js.consumers.get(this.settings.stream, this.settings.durable);
    while (!this.stopping) {
      try {
        if (this.resync) {
          consumer = await this.recreateAtFirstUnhandled();
          this.resync = false;
        }
        this.messages = await consumer.fetch({ max_messages: this.settings.batch ?? 256, expires: 5_000 });
        for await (const m of this.messages) {
          const outcome = await this.process(m);
          this.outcomes.inc({ consumer: this.settings.durable, outcome });
          this.track(m.seq, outcome);
          if (outcome === "stopped") break;
        }
      } catch (err) {
        if (this.stopping) break;
        this.resync = this.settings.inOrder === true;
        this.logger.warn({ err, consumer: this.settings.durable, resumeAt: this.resync ? this.firstUnhandled() : undefined }, "consume loop interrupted; retrying");
        await sleep(500);
      }
    }
  }

  private track(sequence: number, outcome: Outcome): void {
    if (outcome === "retry") this.retrying.add(sequence);
    if (outcome === "ack" || outcome === "dead_letter") {
      this.retrying.delete(sequence);
      this.handledThrough = Math.max(this.handledThrough ?? 0, sequence);
    }
  }

  /** The first event not handled for sure: the oldest one handed back for a retry, else the one after the newest handled; undefined: where the durable first started. */
  private firstUnhandled(): number | undefined {
    if (this.retrying.size > 0) return Math.min(...this.retrying);
    return this.handledThrough === undefined ? undefined : this.handledThrough + 1;
  }

  /** Deletes the durable and creates it again at the first event not handled for sure (events after it may come twice). */
  private async recreateAtFirstUnhandled() {
    const { stream, durable } = this.settings;
    await this.jsm.consumers.delete(stream, durable).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    const at = this.firstUnhandled();
    await ensureConsumer(this.jsm, stream, this.consumerConfig(at));
    this.retrying.clear();
    this.handledThrough = at === undefined ? undefined : at - 1;
    return this.js.consumers.get(stream, durable);
  }

  private async process(m: JsMsg): Promise<Outcome> {
    this.lag.set({ consumer: this.settings.durable }, m.info.pending);
    if (m.info.deliveryCount > this.maxDeliver) {
      return this.deadLetter(m, `not acknowledged after ${this.maxDeliver} deliveries (a handler that hung, crashed the process or could not dead-letter it)`);
    }
    let event: T;
    try {
      event = this.settings.codec.decode(m.data);
    } catch (err) {
      return this.deadLetter(m, `undecodable event: ${errorMessage(err)}`);
    }
    const meta: EventMeta = {
      subject: m.subject,
      sequence: m.seq,
      deliveryCount: m.info.deliveryCount,
      msgId: m.headers?.get("Nats-Msg-Id") || undefined,
      publishedAtMs: Math.floor(m.info.timestampNanos / NANOS_PER_MS),
      pending: m.info.pending,
      trace: extractFromHeaders(m.headers),
    };
    for (;;) {
      const timer = this.handleSeconds.startTimer({ consumer: this.settings.durable });
      try {
        await this.handler(event, meta);
        timer();
        m.ack();
        return "ack";
      } catch (err) {
        timer();
        if (err instanceof PoisonEventError) return this.deadLetter(m, err.message);
        if (err instanceof DependencyDownError) {
          if (!(await this.waitForDependency(m, err))) return "stopped";
          continue;
        }
        if (meta.deliveryCount >= this.maxDeliver) {
          return this.deadLetter(m, `failed ${meta.deliveryCount} deliveries: ${errorMessage(err)}`);
        }
        this.logger.warn({ err, consumer: this.settings.durable, seq: m.seq, attempt: meta.deliveryCount }, "event failed; will retry");
        m.nak(this.retryDelay(meta.deliveryCount));
        return "retry";
      }
    }
  }

  /** Holds the event (keeping its ack timer alive) until the dependency is back. False when stopping. */
  private async waitForDependency(m: JsMsg, err: DependencyDownError): Promise<boolean> {
    this.logger.warn({ consumer: this.settings.durable, seq: m.seq, reason: err.message }, "dependency down: consumer paused");
    while (!this.stopping) {
      await sleep(this.settings.pauseRetryMs ?? 500);
      m.working();
      const ready = this.settings.dependencyReady ? await this.settings.dependencyReady().catch(() => false) : true;
      if (ready) {
        this.logger.info({ consumer: this.settings.durable, seq: m.seq }, "dependency back: consumer resumed");
        return true;
      }
    }
    m.nak();
    return false;
  }

  private retryDelay(attempt: number): number {
    const delays = this.settings.retryDelaysMs ?? [250, 1_000, 5_000, 15_000];
    return delays[Math.min(attempt, delays.length) - 1] ?? 1_000;
  }

  /** Copies the event to the dead-letter subject, then terminates it; on publish failure it is retried instead. */
  private async deadLetter(m: JsMsg, reason: string): Promise<Outcome> {
    const h = natsHeaders();
    h.set("Recmesh-Dlq-Reason", reason.slice(0, 1024));
    h.set("Recmesh-Dlq-Consumer", this.settings.durable);
    h.set("Recmesh-Original-Subject", m.subject);
    h.set("Recmesh-Original-Sequence", String(m.seq));
    h.set("Recmesh-Deliveries", String(m.info.deliveryCount));
    try {
      await this.js.publish(deadLetterSubject(this.settings.durable), m.data, {
        msgID: `dlq:${this.settings.stream}:${this.settings.durable}:${m.seq}`,
        headers: h,
      });
    } catch (err) {
      this.logger.error({ err, seq: m.seq }, "dead-letter publish failed; event will be redelivered");
      m.nak(this.retryDelay(m.info.deliveryCount));
      return "retry";
    }
    this.logger.error({ consumer: this.settings.durable, seq: m.seq, subject: m.subject, reason }, "event dead-lettered");
    // The reason travels in the dead-letter headers: nats-server 2.9 does not parse "+TERM <reason>".
    m.term();
    return "dead_letter";
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
