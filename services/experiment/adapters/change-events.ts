import type { Logger } from "pino";
import { ExperimentChangedEvent, ExperimentChangeType } from "../../../gen/recmesh/events/v1/experiment_changed_event.js";
import type { EventPublisher } from "../../kit/events/event-publisher.js";
import { EVENTS_STREAM, SUBJECTS } from "../../kit/events/subjects.js";
import type { ServiceMetrics } from "../../kit/telemetry/metrics.js";
import type { ChangeLog } from "../domain/experiment-catalog.js";
import type { ExperimentDefinition } from "../domain/experiment-definition.js";
import { toProtoExperiment } from "./proto-mapping.js";

/** Nats-Msg-Id of the audit event of one change: a retried publish of the same change is stored once. */
export function changeMessageId(name: string, revision: number): string {
  return `experiment-changed:${name}:${revision}`;
}

/**
 * Publishes ExperimentChangedEvent after a definition changed in the KV
 * bucket. The bucket is the source of truth and the change is already applied
 * everywhere when this runs, so a failed publish does not fail the write: it is
 * logged and counted for operators.
 */
export class ChangeEvents implements ChangeLog {
  private readonly failures;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    metrics: ServiceMetrics,
    private readonly clock: () => number = Date.now,
  ) {
    this.failures = metrics.counter("recmesh_experiment_change_events_failed_total", "ExperimentChangedEvents that could not be published.");
  }

  recordPut(definition: ExperimentDefinition, revision: number): Promise<void> {
    return this.publish(ExperimentChangeType.EXPERIMENT_CHANGE_TYPE_PUT, definition, revision);
  }

  recordDelete(definition: ExperimentDefinition, revision: number): Promise<void> {
    return this.publish(ExperimentChangeType.EXPERIMENT_CHANGE_TYPE_DELETE, definition, revision);
  }

  private async publish(changeType: ExperimentChangeType, definition: ExperimentDefinition, revision: number): Promise<void> {
    const event = ExperimentChangedEvent.fromPartial({
      changeType,
      experiment: toProtoExperiment(definition),
      revision: String(revision),
      changedAt: new Date(this.clock()),
    });
    try {
      await this.publisher.publish(SUBJECTS.experimentChanged, ExperimentChangedEvent, event, {
        msgId: changeMessageId(definition.name, revision),
        stream: EVENTS_STREAM,
        timeoutMs: 2_000,
      });
    } catch (err) {
      this.failures.inc();
      this.logger.error({ err, experiment: definition.name, revision }, "ExperimentChangedEvent not published");
    }
  }
}
