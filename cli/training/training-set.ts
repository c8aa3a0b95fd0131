import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { fetchViewLayouts } from "../../services/ranking/adapters/feature-views-client.js";
import { planInputs, type ViewLayout } from "../../services/ranking/model/feature-layout.js";
import type { ModelContract } from "../../services/ranking/model/model-contract.js";
import type { FeatureRows } from "../../services/ranking/scoring/feature-rows.js";
import { assembleRows } from "../../services/ranking/scoring/row-assembler.js";
import { lookupRows, pickRows } from "./feature-lookup.js";
import type { LabelExample } from "./label-examples.js";

export interface TrainingSet {
  width: number;
  rows: number;
  features: Float32Array;
  labels: Uint8Array;
  groups: Uint32Array;
  featureInputs: string[];
  viewVersions: Record<string, number>;
  columns: { name: string; offset: number; dimension: number }[];
}

/** Every feature of every view, in registry order: what the demo model reads. */
export function allFeatureInputs(layouts: ReadonlyMap<string, ViewLayout>): string[] {
  return [...layouts.values()].flatMap((v) =>
    [...v.features.entries()].sort((a, b) => a[1].offset - b[1].offset).map(([name]) => `${v.name}:${name}`),
  );
}

/**
 * Turns labelled (user, item) pairs into the exact input rows ranking will
 * build at serving time: features come from the feature service, and the rows
 * are assembled by the ranking service's own planInputs/assembleRows, so there
 * is no training/serving skew in column order or defaults.
 */
export async function buildTrainingSet(client: FeatureServiceClient, examples: readonly LabelExample[]): Promise<TrainingSet> {
  const layouts = await fetchViewLayouts(client, 10_000);
  const featureInputs = allFeatureInputs(layouts);
  const viewVersions = Object.fromEntries([...layouts.values()].map((v) => [v.name, v.version]));
  const width = featureInputs.reduce((n, f) => {
    const [view, feature] = f.split(":") as [string, string];
    return n + (layouts.get(view)?.features.get(feature)?.dimension ?? 0);
  }, 0);
  const contract: ModelContract = {
    name: "training",
    version: "0",
    file: "model.onnx",
    input: { name: "features", width },
    output: { name: "score" },
    featureInputs,
    viewVersions,
    opset: 13,
    trainingFingerprint: "",
    offlineMetrics: {},
    description: "",
  };
  const plan = planInputs(contract, layouts);

  const users = [...new Set(examples.map((e) => e.userId))];
  const items = [...new Set(examples.map((e) => e.itemId))];
  const userIndex = new Map(users.map((u, i) => [u, i]));
  const itemIndex = new Map(items.map((id, i) => [id, i]));
  const userBlocks = new Map<string, FeatureRows>();
  for (const s of plan.user) userBlocks.set(s.view.name, await lookupRows(client, s.view.name, users));
  const itemBlocks = new Map<string, FeatureRows>();
  for (const s of plan.item) itemBlocks.set(s.view.name, await lookupRows(client, s.view.name, items));

  const features = new Float32Array(examples.length * width);
  const byUser = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const rows = byUser.get(e.userId);
    if (rows) rows.push(i);
    else byUser.set(e.userId, [i]);
  });
  for (const [userId, rows] of byUser) {
    const u = userIndex.get(userId) as number;
    const user = new Map([...userBlocks].map(([view, block]) => [view, pickRows(block, [u])]));
    const itemRows = rows.map((r) => itemIndex.get((examples[r] as LabelExample).itemId) as number);
    const itemsOfUser = new Map([...itemBlocks].map(([view, block]) => [view, pickRows(block, itemRows)]));
    const { input } = assembleRows(plan, user, itemsOfUser, rows.length);
    rows.forEach((r, k) => features.set(input.subarray(k * width, (k + 1) * width), r * width));
  }

  const columns: TrainingSet["columns"] = [];
  let offset = 0;
  for (const f of featureInputs) {
    const [view, feature] = f.split(":") as [string, string];
    const dimension = layouts.get(view)?.features.get(feature)?.dimension ?? 0;
    columns.push({ name: f, offset, dimension });
    offset += dimension;
  }
  return {
    width,
    rows: examples.length,
    features,
    labels: Uint8Array.from(examples.map((e) => e.label)),
    groups: Uint32Array.from(examples.map((e) => e.group)),
    featureInputs,
    viewVersions,
    columns,
  };
}

/** Writes the set in the layout models/train/train_ranker.py reads. */
export function writeTrainingSet(dir: string, set: TrainingSet, meta: { fingerprint: string; generatedAtEpochS: number; world: unknown }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "features.f32"), new Uint8Array(set.features.buffer));
  writeFileSync(join(dir, "labels.u8"), set.labels);
  writeFileSync(join(dir, "groups.u32"), new Uint8Array(set.groups.buffer));
  writeFileSync(
    join(dir, "meta.json"),
    `${JSON.stringify(
      {
        width: set.width,
        rows: set.rows,
        positives: set.labels.reduce((n, l) => n + l, 0),
        featureInputs: set.featureInputs,
        viewVersions: set.viewVersions,
        columns: set.columns,
        ...meta,
      },
      null,
      2,
    )}\n`,
  );
}
