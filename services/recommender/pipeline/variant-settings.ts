import type { Assignment } from "./types.js";

/** Variant parameter keys the recommender understands. */
export const PARAMS = {
  rankingModel: "ranking_model",
  rankingModelVersion: "ranking_model_version",
  candidateQuotaPrefix: "candidate_quota.",
} as const;

export interface VariantSettings {
  model?: { name: string; version: string };
  /** Per-source share of the candidates, in percent. */
  quotas: Record<string, number>;
}

/**
 * What the user's variants ask of this request: the ranking model to use and
 * per-source candidate quotas. Experiments in different layers may set
 * different keys; when two set the same key, the first assignment wins.
 */
export function variantSettings(assignments: Assignment[]): VariantSettings {
  const params: Record<string, string> = {};
  for (const a of assignments) {
    for (const [k, v] of Object.entries(a.params)) if (!(k in params)) params[k] = v;
  }
  const quotas: Record<string, number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(PARAMS.candidateQuotaPrefix)) continue;
    const n = Number(v);
    if (Number.isInteger(n) && n >= 0 && n <= 100) quotas[k.slice(PARAMS.candidateQuotaPrefix.length)] = n;
  }
  const name = params[PARAMS.rankingModel];
  return { model: name ? { name, version: params[PARAMS.rankingModelVersion] ?? "" } : undefined, quotas };
}
