import type { Logger } from "pino";
import type { ServiceMetrics } from "../../kit/telemetry/metrics.js";
import type { CandidateIndex } from "../index/candidate-index.js";
import type { HnswVectorIndex } from "./hnsw-vector-index.js";
import type { SerialGate } from "./serial-gate.js";
import type { SnapshotStore, StreamIdentity } from "./snapshot-store.js";

/**
 * Saves the index every `intervalMs` when events were applied since the last
 * save, and once more on stop. Saves go through the indexer's gate, so the
 * state and the vectors on disk are of the same sequence.
 */
export class SnapshotScheduler {
  private timer: NodeJS.Timeout | undefined;
  private savedThrough: number;
  private readonly seconds;
  private readonly sequence;

  constructor(
    private readonly store: SnapshotStore,
    private readonly index: CandidateIndex,
    private readonly vectors: HnswVectorIndex,
    private readonly gate: SerialGate,
    private readonly stream: StreamIdentity,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.savedThrough = index.lastSequence;
    this.seconds = metrics.histogram("recmesh_candidate_snapshot_seconds", "Time to save a candidate index snapshot.", [], [0.01, 0.05, 0.1, 0.5, 1, 5, 30]);
    this.sequence = metrics.gauge("recmesh_candidate_snapshot_sequence", "Stream sequence of the last saved snapshot.");
    this.sequence.set(this.savedThrough);
  }

  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.save().catch((err: unknown) => this.logger.error({ err }, "snapshot failed")), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.save();
  }

  /** Saves now when anything changed since the last save; resolves with the sequence on disk. */
  save(): Promise<number> {
    return this.gate.run(async () => {
      if (this.index.lastSequence === this.savedThrough) return this.savedThrough;
      const timer = this.seconds.startTimer();
      const state = this.index.export();
      await this.store.write(this.stream, state, this.vectors);
      timer();
      this.savedThrough = state.sequence;
      this.sequence.set(state.sequence);
      this.logger.info({ sequence: state.sequence, items: this.vectors.size, dir: this.store.dir }, "candidate index snapshot saved");
      return state.sequence;
    });
  }
}
