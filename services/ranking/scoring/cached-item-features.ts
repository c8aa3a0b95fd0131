import type { ItemFeatureSource } from "../ranker.js";
import type { FeatureRows } from "./feature-rows.js";

export interface ItemCacheSettings {
  /** A cached row is served for this long after it was fetched, then fetched again. */
  maxAgeMs: number;
  /** Rows kept per view; the least recently fetched go first. */
  maxRowsPerView: number;
}

/** Per call: candidates served from the cache, and candidates fetched. */
export type ItemCacheObserver = (hits: number, misses: number) => void;

interface CachedRow {
  values: Float32Array;
  status: number;
  fetchedAtMs: number;
}

interface CachedView {
  viewVersion: number;
  width: number;
  rows: Map<string, CachedRow>;
}

/**
 * Item feature rows kept in the ranking process for a bounded time, in front
 * of the feature service. Item rows are shared by every user's request, so
 * consecutive calls mostly rank items another call just hydrated; only the
 * candidates not cached (or older than `maxAgeMs`) are fetched, in one lookup
 * per view. Rows are served at most `maxAgeMs` older than the store: the
 * freshness this trades for one feature round trip per call.
 */
export class CachedItemFeatures implements ItemFeatureSource {
  private readonly views = new Map<string, CachedView>();

  constructor(
    private readonly source: ItemFeatureSource,
    private readonly settings: ItemCacheSettings,
    private readonly observe: ItemCacheObserver = () => undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  async fetch(views: string[], itemIds: string[], deadline: number, signal?: AbortSignal): Promise<Map<string, FeatureRows>> {
    const now = this.clock();
    const cached = views.map((view) => this.freshRows(view, itemIds, now));
    const misses = uniqueMisses(itemIds, cached);
    this.observe(itemIds.length - misses.length, misses.length);
    if (misses.length === 0) return new Map(views.map((view, v) => [view, this.compose(view, itemIds, cached[v] ?? [], undefined)]));

    const fetched = await this.source.fetch(views, misses, deadline, signal);
    if (views.some((view) => this.layoutChanged(view, fetched.get(view)))) {
      for (const view of views) this.views.delete(view);
      const all = await this.source.fetch(views, itemIds, deadline, signal);
      this.store(views, itemIds, all, now);
      return all;
    }
    this.store(views, misses, fetched, now);
    const missAt = new Map(misses.map((id, i) => [id, i]));
    return new Map(views.map((view, v) => [view, this.compose(view, itemIds, cached[v] ?? [], { rows: fetched.get(view), at: missAt })]));
  }

  /** For each item, its cached row when fresh. */
  private freshRows(view: string, itemIds: string[], now: number): (CachedRow | undefined)[] {
    const rows = this.views.get(view)?.rows;
    const fresh = new Array<CachedRow | undefined>(itemIds.length);
    for (let i = 0; i < itemIds.length; i++) {
      const row = rows?.get(itemIds[i] as string);
      fresh[i] = row && now - row.fetchedAtMs <= this.settings.maxAgeMs ? row : undefined;
    }
    return fresh;
  }

  private layoutChanged(view: string, rows: FeatureRows | undefined): boolean {
    const known = this.views.get(view);
    return rows !== undefined && known !== undefined && (known.viewVersion !== rows.viewVersion || known.width !== rows.width);
  }

  private store(views: string[], ids: string[], fetched: Map<string, FeatureRows>, now: number): void {
    for (const view of views) {
      const rows = fetched.get(view);
      if (!rows) continue;
      let cache = this.views.get(view);
      if (!cache) {
        cache = { viewVersion: rows.viewVersion, width: rows.width, rows: new Map() };
        this.views.set(view, cache);
      }
      for (const [i, id] of ids.entries()) {
        cache.rows.delete(id);
        cache.rows.set(id, { values: rows.values.slice(i * rows.width, (i + 1) * rows.width), status: rows.statuses[i] ?? 0, fetchedAtMs: now });
      }
      for (const oldest of cache.rows.keys()) {
        if (cache.rows.size <= this.settings.maxRowsPerView) break;
        cache.rows.delete(oldest);
      }
    }
  }

  /** One block for all items: cached rows where fresh, fetched rows for the rest. */
  private compose(view: string, itemIds: string[], cached: (CachedRow | undefined)[], fetched: { rows: FeatureRows | undefined; at: Map<string, number> } | undefined): FeatureRows {
    const layout = fetched?.rows ?? this.views.get(view);
    const width = layout?.width ?? 0;
    const values = new Float32Array(itemIds.length * width);
    const statuses = new Uint8Array(itemIds.length);
    for (let i = 0; i < itemIds.length; i++) {
      const hit = cached[i];
      if (hit) {
        values.set(hit.values, i * width);
        statuses[i] = hit.status;
        continue;
      }
      const j = fetched?.at.get(itemIds[i] as string);
      const rows = fetched?.rows;
      if (rows === undefined || j === undefined) continue;
      values.set(rows.values.subarray(j * width, (j + 1) * width), i * width);
      statuses[i] = rows.statuses[j] ?? 0;
    }
    return { view, viewVersion: layout?.viewVersion ?? 0, width, rows: itemIds.length, values, statuses };
  }
}

/** Items missing from the cache in any view, each once, in first-seen order. */
function uniqueMisses(itemIds: string[], cached: (CachedRow | undefined)[][]): string[] {
  const misses = new Set<string>();
  for (let i = 0; i < itemIds.length; i++) {
    for (const rows of cached) {
      if (rows[i] === undefined) {
        misses.add(itemIds[i] as string);
        break;
      }
    }
  }
  return [...misses];
}
