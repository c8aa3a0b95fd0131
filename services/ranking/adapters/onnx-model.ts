import ort from "onnxruntime-node";
import type { Logger } from "pino";
import { ContractError, type ModelContract } from "../model/model-contract.js";

// onnxruntime's own logger would print the failed CUDA probe as an error on every
// CPU-only machine; the fallback is reported through our logger instead.
ort.env.logLevel = "fatal";

export type ProviderChoice = "auto" | "cuda" | "cpu";
export type Provider = "cuda" | "cpu";

export interface SessionSettings {
  provider: ProviderChoice;
  /** Intra-op threads per session; 1 with spinning off suits a shared 2-core box. */
  intraOpThreads: number;
  allowSpinning: boolean;
}

/** An ONNX session bound to its contract: scores rows packed in a Float32Array. */
export interface OnnxModel {
  provider: Provider;
  /** Why CUDA was not used when it was asked for. */
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
 * Creates the session on the configured provider: "cuda" and "auto" try CUDA
 * first and fall back to CPU with the reason recorded (logged by the caller and
 * exported as the provider label); the graph's real inputs and outputs must
 * match the contract or the model is rejected.
 */
export async function loadOnnxModel(bytes: Uint8Array, contract: ModelContract, settings: SessionSettings, logger: Logger): Promise<OnnxModel> {
  let session: ort.InferenceSession;
  let provider: Provider = "cpu";
  let fallbackReason: string | undefined;
  try {
    if (settings.provider === "cpu") throw new Error("CPU requested");
    session = await ort.InferenceSession.create(bytes, sessionOptions(["cuda"], settings));
    provider = "cuda";
  } catch (err) {
    if (settings.provider !== "cpu") {
      fallbackReason = err instanceof Error ? err.message.split("\n")[0] : String(err);
      logger.warn({ model: `${contract.name}/${contract.version}`, requested: settings.provider, reason: fallbackReason }, "CUDA unavailable: falling back to CPU");
    }
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions(["cpu"], settings));
    } catch (loadErr) {
      throw new ContractError(`ONNX graph does not load: ${loadErr instanceof Error ? loadErr.message : String(loadErr)}`);
    }
  }
  try {
    checkGraphMatchesContract(session, contract);
  } catch (err) {
    await session.release();
    throw err;
  }
  const { input, output } = contract;
  return {
    provider,
    fallbackReason,
    run: async (data, rows) => {
      const tensor = new ort.Tensor("float32", data.subarray(0, rows * input.width), [rows, input.width]);
      const result = await session.run({ [input.name]: tensor }, [output.name]);
      const out = result[output.name];
      if (!out || !(out.data instanceof Float32Array) || out.data.length !== rows) {
        throw new Error(`model output "${output.name}" has ${out?.data.length ?? 0} values for ${rows} rows`);
      }
      return out.data;
    },
    release: () => session.release(),
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
