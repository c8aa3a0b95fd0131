import { readFileSync } from "node:fs";
import { viewToProto } from "../../services/feature/adapters/proto-mapping.js";
import { FeatureRegistry } from "../../services/feature/registry/feature-registry.js";
import { FEATURE_VIEWS } from "../../services/feature/registry/feature-views.js";
import { layoutOf } from "../../services/ranking/adapters/feature-views-client.js";
import { contractFromManifestJson } from "../../services/ranking/adapters/manifest-codec.js";
import { planInputs } from "../../services/ranking/model/feature-layout.js";
import type { ItemFeatureSource } from "../../services/ranking/ranker.js";
import { CachedItemFeatures } from "../../services/ranking/scoring/cached-item-features.js";
import { ROW_PRESENT, type FeatureRows } from "../../services/ranking/scoring/feature-rows.js";
import { MODEL_DIR } from "../suite/rank-workload.js";

export const CANDIDATES = 500;
const CATALOG = 20_000;
const LISTS = 64;

/**
 * The demo model's input plan over the feature registry, seeded random rows
 * for its user and item views, and 64 lists of 500 candidates whose item rows
 * sit in a filled item cache: what a Rank of the demo model works on once its
 * candidates are cached, with no feature service.
 */
export async function demoItemRows() {
  const contract = contractFromManifestJson(readFileSync(`${MODEL_DIR}/manifest.json`, "utf8"));
  const registry = new FeatureRegistry(FEATURE_VIEWS);
  const layouts = new Map(registry.views.map((v) => [v.name, layoutOf(viewToProto(v))]));
  const plan = planInputs(contract, layouts);

  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rowsOf = (view: string, rows: number): FeatureRows => {
    const width = layouts.get(view)?.width ?? 0;
    return { view, viewVersion: 1, width, rows, values: new Float32Array(rows * width).map(random), statuses: new Uint8Array(rows).fill(ROW_PRESENT) };
  };
  const source: ItemFeatureSource = { fetch: async (views, ids) => new Map(views.map((v) => [v, rowsOf(v, ids.length)])) };
  const itemViews = plan.item.map((s) => s.view.name);
  const user = new Map(plan.user.map((s) => [s.view.name, rowsOf(s.view.name, 1)]));
  const lists = Array.from({ length: LISTS }, () => Array.from({ length: CANDIDATES }, () => `item-${Math.floor(random() * CATALOG)}`));
  const cache = new CachedItemFeatures(source, { maxAgeMs: 3_600_000, maxRowsPerView: 100_000 });
  for (const list of lists) await cache.fetch(itemViews, list, Infinity);
  return {
    contract,
    modelBytes: new Uint8Array(readFileSync(`${MODEL_DIR}/${contract.file}`)),
    layouts,
    plan,
    itemViews,
    user,
    cache,
    random,
    /** The n-th candidate list as a request decodes it: new strings, not the cache's keys. */
    candidates: (n: number) => (lists[n % LISTS] as string[]).map((id) => `${id.slice(0, 5)}${id.slice(5)}`),
  };
}
