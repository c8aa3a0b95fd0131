import { ModelManifest, TensorDataType } from "../../../gen/recmesh/common/v1/model.js";
import { ContractError, type ModelContract } from "../model/model-contract.js";

/** Reads a manifest (the proto JSON of recmesh.common.v1.ModelManifest) into a contract; a malformed one is a ContractError. */
export function contractFromManifestJson(json: string): ModelContract {
  let manifest: ModelManifest;
  try {
    manifest = ModelManifest.fromJSON(JSON.parse(json));
  } catch (err) {
    throw new ContractError(`manifest is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return contractFromManifest(manifest);
}

export function contractFromManifest(manifest: ModelManifest): ModelContract {
  const name = manifest.model?.name ?? "";
  const version = manifest.model?.version ?? "";
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) throw new ContractError(`manifest model.name "${name}" must be 1-64 of [a-z0-9._-]`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(version)) throw new ContractError(`manifest model.version "${version}" must be 1-64 of [A-Za-z0-9._-]`);
  if (manifest.inputs.length !== 1) throw new ContractError(`manifest must declare exactly one input, has ${manifest.inputs.length}`);
  if (manifest.outputs.length !== 1) throw new ContractError(`manifest must declare exactly one output, has ${manifest.outputs.length}`);
  const input = manifest.inputs[0];
  const output = manifest.outputs[0];
  if (!input || !output) throw new ContractError("manifest input or output missing");
  if (input.dataType !== TensorDataType.TENSOR_DATA_TYPE_FLOAT32 || output.dataType !== TensorDataType.TENSOR_DATA_TYPE_FLOAT32) {
    throw new ContractError("manifest input and output must be float32");
  }
  const width = Number(input.shape[1]);
  if (input.shape.length !== 2 || !Number.isInteger(width) || width <= 0) {
    throw new ContractError(`manifest input "${input.name}" must have shape [-1, width], has [${input.shape.join(", ")}]`);
  }
  if (manifest.featureInputs.length === 0) throw new ContractError("manifest lists no feature inputs");
  return {
    name,
    version,
    file: manifest.file || "model.onnx",
    input: { name: input.name, width },
    output: { name: output.name },
    featureInputs: manifest.featureInputs,
    viewVersions: manifest.featureViewVersions,
    opset: Number(manifest.opset),
    trainingFingerprint: manifest.trainingFingerprint,
    offlineMetrics: manifest.offlineMetrics,
    description: manifest.description,
  };
}

/** The contract back as a proto manifest (for ListModels and announcements). */
export function manifestFromContract(c: ModelContract): ModelManifest {
  return ModelManifest.fromPartial({
    model: { name: c.name, version: c.version },
    file: c.file,
    inputs: [{ name: c.input.name, dataType: TensorDataType.TENSOR_DATA_TYPE_FLOAT32, shape: ["-1", String(c.input.width)] }],
    outputs: [{ name: c.output.name, dataType: TensorDataType.TENSOR_DATA_TYPE_FLOAT32, shape: ["-1"] }],
    featureInputs: c.featureInputs,
    featureViewVersions: c.viewVersions,
    opset: String(c.opset),
    trainingFingerprint: c.trainingFingerprint,
    offlineMetrics: c.offlineMetrics,
    description: c.description,
  });
}
