import type { ServiceMetrics } from "../kit/telemetry/metrics.js";
import { EXECUTION_PROVIDERS, type ExecutionProvider } from "./model/serving-model.js";
import type { ItemCacheResult } from "./scoring/cached-item-features.js";
import type { BatchStats } from "./scoring/dynamic-batcher.js";

/** The ranking service's own metrics: provider in use, batch sizes, rejections, hydration failures, item cache use. */
export function rankingMetrics(metrics: ServiceMetrics) {
  const provider = metrics.gauge("recmesh_ranking_execution_provider", "1 for the execution provider running each model.", ["model", "provider"]);
  const batchRows = metrics.histogram("recmesh_ranking_batch_rows", "Rows per inference run.", [], [1, 50, 100, 250, 500, 1000, 2000, 4000, 8000]);
  const batchCalls = metrics.histogram("recmesh_ranking_batch_calls", "Rank calls coalesced per inference run.", [], [1, 2, 3, 4, 6, 8, 12, 16, 32]);
  const itemCache = metrics.counter("recmesh_ranking_item_cache_candidates_total", "Candidates by where their item features came from: the ranking's cache (hit), the feature service before answering (miss), another call's fetch of the same item, waited for instead of asking again (joined), the cache while fetched again in the background (refresh), or the cache after that fetch failed (refresh_failed).", ["result"]);
  return {
    rejected: metrics.counter("recmesh_ranking_models_rejected_total", "Model versions rejected (contract mismatch or load failure).", ["model"]),
    hydrationFailures: metrics.counter("recmesh_ranking_hydration_failures_total", "Rank calls whose item features fell back to defaults."),
    /** A new version may land on another provider than the one it replaces (CUDA out of memory, say); the old sample must go. */
    servingOn(model: string, on: ExecutionProvider) {
      for (const other of EXECUTION_PROVIDERS) if (other !== on) provider.remove({ model, provider: other });
      provider.set({ model, provider: on }, 1);
    },
    observeItemCache(result: ItemCacheResult, candidates: number) {
      itemCache.inc({ result }, candidates);
    },
    observeBatch(s: BatchStats) {
      batchRows.observe(s.rows);
      batchCalls.observe(s.calls);
    },
  };
}
