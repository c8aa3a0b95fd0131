import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { contractFromManifestJson } from "./adapters/manifest-codec.js";
import type { ViewLayout } from "./model/feature-layout.js";
import type { ModelContract } from "./model/model-contract.js";
import { ROW_PRESENT, type FeatureRows } from "./scoring/feature-rows.js";

/** Test model directories built by testdata/make-test-models.py. */
export function testModel(dir: string): { contract: ModelContract; bytes: Uint8Array; path: string } {
  const path = fileURLToPath(new URL(`./testdata/${dir}`, import.meta.url));
  return {
    contract: contractFromManifestJson(readFileSync(`${path}/manifest.json`, "utf8")),
    bytes: new Uint8Array(readFileSync(`${path}/model.onnx`)),
    path,
  };
}

/** The two 32-dim views the test models read, as the feature registry lays them out. */
export function testRegistry(): Map<string, ViewLayout> {
  const view = (name: string, entity: "user" | "item"): ViewLayout => ({
    name,
    entity,
    version: 1,
    width: 64,
    features: new Map([
      ["embedding", { offset: 0, dimension: 32 }],
      [entity === "user" ? "category_affinity" : "category_hash", { offset: 32, dimension: 32 }],
    ]),
    defaultRow: new Float32Array(64),
  });
  return new Map([
    ["user_taste", view("user_taste", "user")],
    ["item_content", view("item_content", "item")],
  ]);
}

/** Rows of a 64-wide view whose embedding part is `embeddings[r]` (32 floats each). */
export function viewRows(view: string, embeddings: number[][]): FeatureRows {
  const values = new Float32Array(embeddings.length * 64);
  embeddings.forEach((e, r) => values.set(e, r * 64));
  return { view, viewVersion: 1, width: 64, rows: embeddings.length, values, statuses: new Uint8Array(embeddings.length).fill(ROW_PRESENT) };
}

/** A 32-dim vector with `value` at `index`. */
export function basis(index: number, value = 1): number[] {
  const v = new Array<number>(32).fill(0);
  v[index] = value;
  return v;
}
