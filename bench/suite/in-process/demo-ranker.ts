import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { ViewLayout } from "../../../services/ranking/model/feature-layout.js";
import { contractFromManifestJson } from "../../../services/ranking/adapters/manifest-codec.js";
import { loadOnnxModel } from "../../../services/ranking/adapters/onnx-model.js";
import { loadRankingConfig } from "../../../services/ranking/config.js";
import { ModelManager } from "../../../services/ranking/model/model-manager.js";
import { ModelTable } from "../../../services/ranking/model/model-table.js";
import type { ServingModel } from "../../../services/ranking/model/serving-model.js";
import { Ranker, type ItemFeatureSource } from "../../../services/ranking/ranker.js";
import { RecentInputs } from "../../../services/ranking/scoring/recent-inputs.js";

/**
 * The ranking service's Ranker in this process, as its main.ts wires it with
 * the settings of `env` (RECMESH_RANKING_* variables; defaults when empty):
 * the model of `modelDir` loaded and warmed by a ModelManager, item rows from
 * `items`. `provider` is where the model runs, `fallbackReason` why not on
 * the GPU provider asked for.
 */
export async function demoRanker(modelDir: string, layouts: ReadonlyMap<string, ViewLayout>, items: ItemFeatureSource, logger: Logger, env: Record<string, string> = {}) {
  const config = loadRankingConfig(env);
  const table = new ModelTable<ServingModel>();
  const recent = new RecentInputs(8);
  const contract = contractFromManifestJson(await readFile(join(modelDir, "manifest.json"), "utf8"));
  const manager = new ModelManager({
    table,
    registry: () => layouts,
    loadGraph: (bytes, c) => loadOnnxModel(bytes, c, config.session, logger),
    recent,
    batching: config.batching,
    warmupRuns: config.warmupRuns,
    defaultModel: contract.name,
    onBatch: () => undefined,
    onRejected: (_c, reason) => logger.error({ reason }, "demo model rejected"),
    onServing: () => undefined,
  });
  const loaded = await manager.apply({ contract, bytes: async () => new Uint8Array(await readFile(join(modelDir, contract.file))) });
  if (!loaded) throw new Error(`the demo model in ${modelDir} did not load`);
  const [status] = manager.statuses();
  if (!status?.provider) throw new Error(`the demo model in ${modelDir} loaded but reports no provider`);
  return {
    provider: status.provider,
    fallbackReason: status.fallbackReason,
    ranker: new Ranker(table, items, recent, { maxCandidates: config.maxCandidates }),
    close: () => table.close(),
  };
}
