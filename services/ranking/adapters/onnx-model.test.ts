import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { testLogger } from "../../kit/testing/test-logger.js";
import { ContractError } from "../model/model-contract.js";
import { contractFromManifestJson } from "./manifest-codec.js";
import { loadOnnxModel, type SessionSettings } from "./onnx-model.js";

const testdata = (path: string) => fileURLToPath(new URL(`../testdata/${path}`, import.meta.url));
const load = (dir: string, settings: Partial<SessionSettings> = {}) => {
  const contract = contractFromManifestJson(readFileSync(testdata(`${dir}/manifest.json`), "utf8"));
  return loadOnnxModel(new Uint8Array(readFileSync(testdata(`${dir}/model.onnx`))), contract, {
    provider: "cpu",
    intraOpThreads: 1,
    allowSpinning: false,
    ...settings,
  }, testLogger());
};

/** Two rows: user = e0, item = e0 (dot 1) and user = e0, item = -e0 (dot -1). */
function twoRows(): Float32Array {
  const rows = new Float32Array(2 * 64);
  rows[0] = 1;
  rows[32] = 1;
  rows[64] = 1;
  rows[96] = -1;
  return rows;
}

describe("ONNX model adapter (real onnxruntime-node)", () => {
  it("scores rows with the graph", async () => {
    const model = await load("dot/2");
    expect([...(await model.run(twoRows(), 2))]).toEqual([3, -1]);
    await model.release();
  });

  it("falls back to CPU with the reason when CUDA is requested on a machine without it", async () => {
    const model = await load("dot/1", { provider: "cuda" });
    expect(model.provider).toBe("cpu");
    expect(model.fallbackReason).toMatch(/\S/);
    expect([...(await model.run(twoRows(), 2))]).toEqual([1, -1]);
    await model.release();
  });

  it("falls back to CPU with the reason when WebGPU is requested on a machine without an adapter", async () => {
    const model = await load("dot/1", { provider: "webgpu" });
    expect(model.provider).toBe("cpu");
    expect(model.fallbackReason).toMatch(/WebGPU adapter/);
    expect([...(await model.run(twoRows(), 2))]).toEqual([1, -1]);
    await model.release();
  });

  it("rejects a graph whose input does not match its manifest", async () => {
    await expect(load("wide/1")).rejects.toThrow(ContractError);
    await expect(load("wide/1")).rejects.toThrow(/shape \[batch, 65\], the manifest says \[-1, 64\]/);
  });

  it("rejects bytes that are not an ONNX graph", async () => {
    const contract = contractFromManifestJson(readFileSync(testdata("dot/1/manifest.json"), "utf8"));
    await expect(
      loadOnnxModel(new Uint8Array([1, 2, 3]), contract, { provider: "cpu", intraOpThreads: 1, allowSpinning: false }, testLogger()),
    ).rejects.toThrow(/ONNX graph does not load/);
  });

  it("rejects malformed manifests with a reason", () => {
    expect(() => contractFromManifestJson("{")).toThrow(/not valid JSON/);
    expect(() => contractFromManifestJson(JSON.stringify({ model: { name: "x", version: "1" } }))).toThrow(/exactly one input/);
  });
});
