/** The contract a ranking model ships with (its manifest), in domain terms. */
export interface ModelContract {
  name: string;
  version: string;
  /** File name of the ONNX graph. */
  file: string;
  /** The single float32 input tensor: [batch, width]. */
  input: { name: string; width: number };
  /** The single float32 output tensor: [batch] or [batch, 1]. */
  output: { name: string };
  /** Ordered "view:feature" inputs; their columns are concatenated in this order. */
  featureInputs: string[];
  /** View name → version the model was trained against. */
  viewVersions: Record<string, number>;
  opset: number;
  trainingFingerprint: string;
  offlineMetrics: Record<string, number>;
  description: string;
}

/** A model that cannot be served, with the reason. */
export class ContractError extends Error {
  override name = "ContractError";
}

/** "view:feature" → [view, feature]. */
export function splitFeatureName(qualified: string): [string, string] {
  const i = qualified.indexOf(":");
  if (i <= 0 || i === qualified.length - 1) throw new ContractError(`feature input "${qualified}" is not of the form view:feature`);
  return [qualified.slice(0, i), qualified.slice(i + 1)];
}
