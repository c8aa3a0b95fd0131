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
import { ExperimentSet } from "../../experiment/domain/assigner.js";
import { toDefinition } from "../../experiment/adapters/proto-mapping.js";
import type { Dependency } from "../../kit/grpc/dependency.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import type { ExperimentPort } from "../pipeline/ports.js";
import type { Assignment } from "../pipeline/types.js";
import type { CallBudget } from "./call-options.js";

export function toAssignment(a: ProtoAssignment): Assignment {
  return { experiment: a.experiment, variant: a.variant, layer: a.layer, params: a.params, forced: a.forced, bucket: a.bucket };
}

/** Where assignments come from: the recommender's copy of the definitions, or an Assign call per request. */
export type AssignmentMode = "local" | "rpc";

/**
 * Experiment assignment from a live copy of the running definitions
 * (WatchExperiments). In `local` mode, once the copy holds a complete snapshot
 * and while its stream is up, the recommender assigns with the experiment
 * service's own deterministic assigner (same code, same hashes) instead of an
 * Assign round trip per request; before that, or while the stream is down, it
 * calls Assign. When the service is down every running experiment falls back
 * to its control variant. Fallback assignments are marked forced: they were
 * not randomised and must not be logged as exposures.
 */
export class ExperimentClient implements ExperimentPort {
  private running = new Map<string, Experiment>();
  /** Definitions of a snapshot still arriving: they replace `running` once it is complete. */
  private incoming: Map<string, Experiment> | undefined;
  private local: ExperimentSet | undefined;
  private stream: ClientReadableStream<WatchExperimentsResponse> | undefined;
  private stopped = false;

  constructor(
    private readonly client: ExperimentServiceClient,
    private readonly dependency: Dependency,
    private readonly budget: CallBudget,
    private readonly logger: Logger,
    private readonly mode: AssignmentMode = "local",
  ) {}

  async assign(userId: string, context: Record<string, string>, deadline: number): Promise<Assignment[]> {
    if (this.local) return this.local.assign(userId, context, Date.now());
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
          this.incoming = new Map();
          stream.on("data", (m: WatchExperimentsResponse) => this.apply(m));
          stream.on("error", () => resolve());
          stream.on("end", () => resolve());
        });
        this.incoming = undefined;
        if (this.local) this.logger.warn("experiment watch lost: assigning through the Assign RPC until it is back");
        this.local = undefined;
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
    if (m.snapshotComplete) {
      this.running = this.incoming ?? this.running;
      this.incoming = undefined;
      this.compile();
      if (this.local) {
        this.logger.info({ experiments: this.running.size }, "assigning experiments locally from the watched definitions");
        // No Assign calls follow to close a breaker an outage opened: the delivered snapshot is the evidence.
        this.dependency.recovered();
      }
      return;
    }
    const e = m.experiment;
    if (!e) return;
    const into = this.incoming ?? this.running;
    if (m.deleted || e.status !== ExperimentStatus.EXPERIMENT_STATUS_RUNNING) into.delete(e.name);
    else into.set(e.name, e);
    if (!this.incoming) this.compile();
  }

  /** Rebuilds the local assigner from the running definitions (local mode only). */
  private compile(): void {
    if (this.mode !== "local") return;
    try {
      this.local = new ExperimentSet([...this.running.values()].map(toDefinition));
    } catch (err) {
      this.local = undefined;
      this.logger.error({ err }, "watched experiment definitions do not compile: assigning through the Assign RPC");
    }
  }
}
