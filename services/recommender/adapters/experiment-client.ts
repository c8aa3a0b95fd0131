import { Metadata, type ClientReadableStream } from "@grpc/grpc-js";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Assignment as ProtoAssignment } from "../../../gen/recmesh/common/v1/assignment.js";
import { ExperimentStatus, type Experiment } from "../../../gen/recmesh/experiment/v1/experiment.js";
import {
  AssignRequest,
  WatchExperimentsRequest,
  type ExperimentServiceClient,
  type WatchExperimentsResponse,
} from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import type { Dependency } from "../../kit/grpc/dependency.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import type { ExperimentPort } from "../pipeline/ports.js";
import type { Assignment } from "../pipeline/types.js";
import type { CallBudget } from "./call-options.js";

export function toAssignment(a: ProtoAssignment): Assignment {
  return { experiment: a.experiment, variant: a.variant, layer: a.layer, params: a.params, forced: a.forced, bucket: a.bucket };
}

/**
 * Assignment through the experiment service, plus a live copy of the running
 * definitions (WatchExperiments) so that when the service is down every running
 * experiment can fall back to its control variant. Fallback assignments are
 * marked forced: they were not randomised and must not be logged as exposures.
 */
export class ExperimentClient implements ExperimentPort {
  private readonly running = new Map<string, Experiment>();
  private stream: ClientReadableStream<WatchExperimentsResponse> | undefined;
  private stopped = false;

  constructor(
    private readonly client: ExperimentServiceClient,
    private readonly dependency: Dependency,
    private readonly budget: CallBudget,
    private readonly logger: Logger,
  ) {}

  async assign(userId: string, context: Record<string, string>, deadline: number): Promise<Assignment[]> {
    const res = await this.dependency.call(
      (d) => unaryCall(this.client.assign.bind(this.client), AssignRequest.create({ userId, context: { attributes: context } }), { deadline: d }),
      { timeoutMs: this.budget.timeoutMs, parentDeadline: deadline, marginMs: this.budget.marginMs },
    );
    return res.assignments.map(toAssignment);
  }

  controlAssignments(): Assignment[] {
    return [...this.running.values()].flatMap((e) => {
      const control = e.variants.find((v) => v.name === e.controlVariant);
      return control ? [{ experiment: e.name, variant: control.name, layer: e.layer, params: control.params, forced: true, bucket: 0 }] : [];
    });
  }

  /** Follows definition changes until stopped, reconnecting after failures. */
  watch(): void {
    void (async () => {
      while (!this.stopped) {
        await new Promise<void>((resolve) => {
          const stream = this.client.watchExperiments(WatchExperimentsRequest.create({ includeCurrent: true }), new Metadata());
          this.stream = stream;
          stream.on("data", (m: WatchExperimentsResponse) => this.apply(m));
          stream.on("error", () => resolve());
          stream.on("end", () => resolve());
        });
        if (!this.stopped) {
          this.logger.debug("experiment watch ended; reconnecting");
          await sleep(1_000);
        }
      }
    })();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.cancel();
  }

  private apply(m: WatchExperimentsResponse): void {
    const e = m.experiment;
    if (!e || m.snapshotComplete) return;
    if (m.deleted || e.status !== ExperimentStatus.EXPERIMENT_STATUS_RUNNING) this.running.delete(e.name);
    else this.running.set(e.name, e);
  }
}
