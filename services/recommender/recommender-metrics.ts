import type { ServiceMetrics } from "../kit/telemetry/metrics.js";

/** The front door's own metrics: fallbacks, shedding, work narrowing, exposure delivery. */
export function recommenderMetrics(metrics: ServiceMetrics) {
  return {
    fallbacks: metrics.counter("recmesh_recommender_fallbacks_total", "Responses shaped by a dependency's fallback.", ["dependency"]),
    shed: metrics.counter("recmesh_recommender_shed_total", "Requests refused with RESOURCE_EXHAUSTED over the concurrency limit."),
    exposureQueue: metrics.gauge("recmesh_recommender_exposure_queue", "Exposure events waiting to be stored in JetStream."),
    exposureFailures: metrics.counter("recmesh_recommender_exposure_publish_failures_total", "Failed exposure publishes (retried)."),
    exposuresDropped: metrics.counter("recmesh_recommender_exposures_dropped_total", "Exposure events refused because the queue was full."),
    unknownModels: metrics.counter("recmesh_recommender_unknown_models_total", "Variants that pinned a model the ranking service does not have.", ["model"]),
  };
}

/** How far latency pressure has narrowed the front door's work, read at every scrape. */
export function exportCandidateBudget(metrics: ServiceMetrics, budget: { readonly size: number; readonly narrowed: boolean }): void {
  metrics.sampledGauge("recmesh_recommender_candidate_budget", "Candidates ranked per request now (below the maximum under latency pressure).", () => budget.size);
  metrics.sampledGauge("recmesh_recommender_narrowed", "1 while latency pressure has narrowed the candidate budget.", () => (budget.narrowed ? 1 : 0));
}
