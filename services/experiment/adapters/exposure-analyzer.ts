import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { UnavailableError } from "../../kit/errors/errors.js";
import { DependencyDownError } from "../../kit/events/event-errors.js";
import { EventConsumer, type EventMeta } from "../../kit/events/event-consumer.js";
import { EVENTS_STREAM, SUBJECTS } from "../../kit/events/subjects.js";
import type { ServiceMetrics } from "../../kit/telemetry/metrics.js";
import { conversionEventOf, DEFAULT_CONVERSION_EVENT } from "../domain/experiment-definition.js";
import type { ExperimentRegistry } from "../domain/experiment-registry.js";
import type { ResultsStore } from "../domain/results-store.js";
import { toAnalysisEvent } from "./analysis-events.js";
import { RAW_EVENT_CODEC } from "./raw-event-codec.js";

/** Durable name of the analyzer; its dead letters go to recmesh.dlq.experiment-analyzer. */
export const ANALYZER_DURABLE = "experiment-analyzer";

/**
 * The durable consumer that joins exposures with later interactions. One
 * durable over every EVENTS subject (nats-server 2.9 allows one filter per
 * consumer), dispatched by subject; other subjects are acked untouched. Redis
 * down pauses it on the event in hand until Redis answers again.
 */
export class ExposureAnalyzer {
  private readonly consumer: EventConsumer<Uint8Array>;
  private readonly applied;

  constructor(
    js: JetStreamClient,
    jsm: JetStreamManager,
    private readonly store: ResultsStore,
    private readonly registry: ExperimentRegistry,
    logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.applied = metrics.counter("recmesh_experiment_analyzer_events_total", "Events applied to the experiment analysis, by kind.", ["kind"]);
    this.consumer = new EventConsumer(
      js,
      jsm,
      {
        stream: EVENTS_STREAM,
        durable: ANALYZER_DURABLE,
        filterSubject: SUBJECTS.allEvents,
        codec: RAW_EVENT_CODEC,
        dependencyReady: () => store.ready(),
        pauseRetryMs: 200,
      },
      (data, meta) => this.handle(data, meta),
      logger.child({ component: "analyzer" }),
      metrics,
    );
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private async handle(data: Uint8Array, meta: EventMeta): Promise<void> {
    const event = toAnalysisEvent(meta.subject, data, meta.publishedAtMs);
    try {
      if (event.kind === "exposure") await this.store.recordExposure(event.exposure, this.conversionEvent(event.exposure.experiment));
      else if (event.kind === "interaction") await this.store.recordInteraction(event.interaction, (name) => this.conversionEvent(name));
    } catch (err) {
      if (err instanceof UnavailableError) throw new DependencyDownError(err.message);
      throw err;
    }
    this.applied.inc({ kind: event.kind });
  }

  private conversionEvent(experiment: string): string {
    const stored = this.registry.get(experiment);
    return stored ? conversionEventOf(stored.definition) : DEFAULT_CONVERSION_EVENT;
  }
}
