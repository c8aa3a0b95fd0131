import ort from "onnxruntime-node";
import type { Logger } from "pino";
import { ContractError, type ModelContract } from "../model/model-contract.js";
import { PROVIDER_NAMES, type ExecutionProvider } from "../model/serving-model.js";

// onnxruntime's own logger would print the failed CUDA probe as an error on every
// CPU-only machine; the fallback is reported through our logger instead.
ort.env.logLevel = "fatal";

/** "auto" tries CUDA only: WebGPU is tried when asked for, since its probe loads Vulkan at every start. */
export type ProviderChoice = "auto" | ExecutionProvider;

export interface SessionSettings {
  provider: ProviderChoice;
  /** Intra-op threads per session; 1 with spinning off suits a shared 2-core box. */
  intraOpThreads: number;
  allowSpinning: boolean;
}

/** An ONNX session bound to its contract: scores rows packed in a Float32Array. */
export interface OnnxModel {
  provider: ExecutionProvider;
  /** Why the GPU provider asked for was not used. */
  fallbackReason?: string;
  run(input: Float32Array, rows: number): Promise<Float32Array>;
  release(): Promise<void>;
}

function sessionOptions(providers: string[], s: SessionSettings): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: providers,
    intraOpNumThreads: s.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    logSeverityLevel: 4,
    extra: { session: { intra_op: { allow_spinning: s.allowSpinning ? "1" : "0" } } },
  };
}

/**
 * Creates the session on the configured provider: "auto" and "cuda" try CUDA,
 * "webgpu" tries WebGPU, and a GPU provider that does not load falls back to
 * CPU with the reason recorded (logged here, exported by the caller as the
 * provider label); the graph's real inputs and outputs must match the contract
 * or the model is rejected.
 */
export async function loadOnnxModel(bytes: Uint8Array, contract: ModelContract, settings: SessionSettings, logger: Logger): Promise<OnnxModel> {
  const gpu = settings.provider === "auto" ? "cuda" : settings.provider;
  let session: ort.InferenceSession | undefined;
  let provider: ExecutionProvider = "cpu";
  let fallbackReason: string | undefined;
  if (gpu !== "cpu") {
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions([gpu], settings));
      provider = gpu;
    } catch (err) {
      fallbackReason = err instanceof Error ? (err.message.split("\n")[0] ?? err.message) : String(err);
      const name = PROVIDER_NAMES[gpu];
      logger.warn({ model: `${contract.name}/${contract.version}`, requested: settings.provider, reason: fallbackReason }, `${name} unavailable: falling back to CPU`);
    }
  }
  if (!session) {
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions(["cpu"], settings));
    } catch (loadErr) {
      throw new ContractError(`ONNX graph does not load: ${loadErr instanceof Error ? loadErr.message : String(loadErr)}`);
    }
  }
  const ready = session;
  try {
    checkGraphMatchesContract(ready, contract);
  } catch (err) {
    await ready.release();
    throw err;
  }
  const { input, output } = contract;
  return {
    provider,
    fallbackReason,
    run: async (data, rows) => {
      const tensor = new ort.Tensor("float32", data.subarray(0, rows * input.width), [rows, input.width]);
      const result = await ready.run({ [input.name]: tensor }, [output.name]);
      const out = result[output.name];
      if (!out || !(out.data instanceof Float32Array) || out.data.length !== rows) {
        throw new Error(`model output "${output.name}" has ${out?.data.length ?? 0} values for ${rows} rows`);
      }
      return out.data;
    },
    release: () => ready.release(),
  };
}

function checkGraphMatchesContract(session: ort.InferenceSession, c: ModelContract): void {
  const input = session.inputMetadata.find((m) => m.name === c.input.name);
  if (!input || session.inputNames.length !== 1) {
    throw new ContractError(`graph inputs [${session.inputNames.join(", ")}] do not match the manifest input "${c.input.name}"`);
  }
  if (input.isTensor) {
    if (input.type !== "float32") throw new ContractError(`graph input "${c.input.name}" is ${input.type}, the manifest says float32`);
    const width = input.shape[1];
    if (input.shape.length !== 2 || (typeof width === "number" && width !== c.input.width)) {
      throw new ContractError(`graph input "${c.input.name}" has shape [${input.shape.join(", ")}], the manifest says [-1, ${c.input.width}]`);
    }
  }
  const output = session.outputMetadata.find((m) => m.name === c.output.name);
  if (!output) throw new ContractError(`graph outputs [${session.outputNames.join(", ")}] do not include the manifest output "${c.output.name}"`);
  if (output.isTensor && output.type !== "float32") throw new ContractError(`graph output "${c.output.name}" is ${output.type}, the manifest says float32`);
}
