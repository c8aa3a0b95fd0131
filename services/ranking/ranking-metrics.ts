import type { ServiceMetrics } from "../kit/telemetry/metrics.js";
import type { BatchStats } from "./scoring/dynamic-batcher.js";

/** The ranking service's own metrics: provider in use, batch sizes, rejections, hydration failures. */
export function rankingMetrics(metrics: ServiceMetrics) {
  const batchRows = metrics.histogram("recmesh_ranking_batch_rows", "Rows per inference run.", [], [1, 50, 100, 250, 500, 1000, 2000, 4000, 8000]);
  const batchCalls = metrics.histogram("recmesh_ranking_batch_calls", "Rank calls coalesced per inference run.", [], [1, 2, 3, 4, 6, 8, 12, 16, 32]);
  return {
    provider: metrics.gauge("recmesh_ranking_execution_provider", "1 for the execution provider running each model.", ["model", "provider"]),
    rejected: metrics.counter("recmesh_ranking_models_rejected_total", "Model versions rejected (contract mismatch or load failure).", ["model"]),
    hydrationFailures: metrics.counter("recmesh_ranking_hydration_failures_total", "Rank calls whose item features fell back to defaults."),
    observeBatch(s: BatchStats) {
      batchRows.observe(s.rows);
      batchCalls.observe(s.calls);
    },
  };
}
