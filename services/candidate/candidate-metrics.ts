import type { ServiceMetrics } from "../kit/telemetry/metrics.js";
import type { GenerateObserver } from "./domain/candidate-generator.js";

/** Per-source and per-filter metrics of the retrieval pipeline; labels are the components' ids. */
export function candidateMetrics(metrics: ServiceMetrics): GenerateObserver {
  const sourceSeconds = metrics.histogram("recmesh_candidate_source_seconds", "Time each candidate source took, by source and status.", [
    "source",
    "status",
  ]);
  const sourceItems = metrics.counter("recmesh_candidate_source_items_total", "Items returned by each candidate source.", ["source"]);
  const filtered = metrics.counter("recmesh_candidate_filtered_total", "Candidates removed by each filter.", ["filter"]);
  return {
    sourceRun: ({ report }) => {
      sourceSeconds.observe({ source: report.source, status: report.status }, report.latencyMs / 1000);
      sourceItems.inc({ source: report.source }, report.returned);
    },
    filtered: (removedBy) => {
      for (const [filter, n] of Object.entries(removedBy)) filtered.inc({ filter }, n);
    },
  };
}
