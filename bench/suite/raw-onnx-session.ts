import ort from "onnxruntime-node";
import type { ModelContract } from "../../services/ranking/model/model-contract.js";
import type { ExecutionProvider } from "../../services/ranking/model/serving-model.js";

export interface ThreadSettings {
  intraOpThreads: number;
  allowSpinning: boolean;
}

export interface RawSession {
  /** One session.run; resolves the output scores. */
  run(input: Float32Array, rows: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * A bare onnxruntime-node session on `provider` (the CPU unless named) with the
 * session options the ranking service uses (services/ranking/adapters/onnx-model.ts):
 * the floor for Rank is one session.run on the same input, nothing around it.
 */
export async function rawSession(bytes: Uint8Array, contract: ModelContract, threads: ThreadSettings, provider: ExecutionProvider = "cpu"): Promise<RawSession> {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [provider],
    intraOpNumThreads: threads.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    logSeverityLevel: 4,
    extra: { session: { intra_op: { allow_spinning: threads.allowSpinning ? "1" : "0" } } },
  });
  const { input, output } = contract;
  return {
    run: async (data, rows) => {
      const tensor = new ort.Tensor("float32", data.subarray(0, rows * input.width), [rows, input.width]);
      const result = await session.run({ [input.name]: tensor }, [output.name]);
      const scores = result[output.name]?.data;
      if (!(scores instanceof Float32Array)) throw new Error(`model output "${output.name}" is not float32`);
      return scores;
    },
    release: () => session.release(),
  };
}
