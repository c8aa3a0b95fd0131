import type { BatchStats } from "../scoring/dynamic-batcher.js";
import { DynamicBatcher } from "../scoring/dynamic-batcher.js";
import type { InputPlan } from "./feature-layout.js";
import type { ModelContract } from "./model-contract.js";

/** A loaded graph that scores packed rows (the ONNX session, seen from the domain). */
export interface Graph {
  provider: "cuda" | "cpu";
  fallbackReason?: string;
  run(input: Float32Array, rows: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface BatchingSettings {
  maxBatchRows: number;
  maxWaitMicros: number;
}

/** One model version ready to serve: contract, input plan, graph and its dynamic batcher. */
export class ServingModel {
  readonly loadedAt = new Date();
  private readonly batcher: DynamicBatcher;

  constructor(
    readonly contract: ModelContract,
    readonly plan: InputPlan,
    private readonly graph: Graph,
    batching: BatchingSettings,
    onBatch: (stats: BatchStats) => void,
  ) {
    this.batcher = new DynamicBatcher((input, rows) => graph.run(input, rows), { width: plan.width, ...batching }, onBatch);
  }

  get provider(): "cuda" | "cpu" {
    return this.graph.provider;
  }

  get fallbackReason(): string | undefined {
    return this.graph.fallbackReason;
  }

  /** Scores through the dynamic batcher (coalesced with concurrent calls). */
  score(input: Float32Array, rows: number): Promise<Float32Array> {
    return this.batcher.submit(input, rows);
  }

  /** Scores directly on the graph, bypassing the batcher (warm-up). */
  scoreDirect(input: Float32Array, rows: number): Promise<Float32Array> {
    return this.graph.run(input, rows);
  }

  release(): Promise<void> {
    return this.graph.release();
  }
}
