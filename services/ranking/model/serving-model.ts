import type { BatchStats } from "../scoring/dynamic-batcher.js";
import { DynamicBatcher } from "../scoring/dynamic-batcher.js";
import type { InputPlan } from "./feature-layout.js";
import type { ModelContract } from "./model-contract.js";

/** Where a graph runs: CUDA or WebGPU (Vulkan, Metal, D3D12) on a GPU, or the CPU. */
export const EXECUTION_PROVIDERS = ["cuda", "webgpu", "cpu"] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** How logs name a provider. */
export const PROVIDER_NAMES: Record<ExecutionProvider, string> = { cuda: "CUDA", webgpu: "WebGPU", cpu: "CPU" };

/** A loaded graph that scores packed rows (the ONNX session, seen from the domain). */
export interface Graph {
  provider: ExecutionProvider;
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

  get provider(): ExecutionProvider {
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
