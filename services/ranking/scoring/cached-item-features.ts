import type { ItemFeatureSource } from "../ranker.js";
import { CachedRowGroup } from "./cached-row-group.js";
import { copyRow } from "./copy-row.js";
import type { FeatureRows } from "./feature-rows.js";
import { ScratchArrays } from "./scratch-arrays.js";

export interface ItemCacheSettings {
  /** A cached row is served for this long after it was fetched, then fetched again. */
  maxAgeMs: number;
  /** Rows kept per view; the least recently fetched go first. */
  maxRowsPerView: number;
}

/**
 * Candidates by outcome: served from the cache (`hit`), fetched before
 * answering (`miss`), served from the cache and fetched again in the
 * background (`refresh`), or not refreshed because that fetch failed.
 */
export type ItemCacheResult = "hit" | "miss" | "refresh" | "refresh_failed";
export type ItemCacheObserver = (result: ItemCacheResult, candidates: number) => void;

/** A call's rows as the cache could answer them: a block per view with every cached row in place, the rows still to fill, and the items due for a refresh. */
interface Lookup {
  blocks: FeatureRows[] | undefined;
  missingRows: number[];
  refreshIds: string[];
}

/** Share of the maximum age after which a served row is fetched again in the background. */
const REFRESH_AT_AGE = 0.75;

interface Refresh {
  views: string[];
  due: Set<string>;
  running: boolean;
}

/**
 * Item feature rows kept in the ranking process for a bounded time, in front
 * of the feature service. Item rows are shared by every user's request, so
 * consecutive calls mostly rank items another call just hydrated; only the
 * candidates not cached (or older than `maxAgeMs`) are fetched, in one lookup
 * per view. Rows are served at most `maxAgeMs` older than the store: the
 * freshness this trades for one feature round trip per call. A row past 3/4
 * of its maximum age is still served, and fetched again in the background (one
 * fetch at a time per set of views), so items that keep being ranked are
 * refreshed before they expire instead of making a call wait. Rows are cached
 * per set of views asked for together (a model's item views). The blocks it
 * answers with are borrowed: the caller hands them back with `release`.
 */
export class CachedItemFeatures implements ItemFeatureSource {
  private readonly groups = new Map<string, CachedRowGroup>();
  private readonly scratch = new ScratchArrays();
  /** Each group's items being fetched again in the background, or waiting to be. */
  private readonly refreshes = new Map<string, Refresh>();

  constructor(
    private readonly source: ItemFeatureSource,
    private readonly settings: ItemCacheSettings,
    private readonly observe: ItemCacheObserver = () => undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  async fetch(views: string[], itemIds: string[], deadline: number, signal?: AbortSignal): Promise<Map<string, FeatureRows>> {
    const now = this.clock();
    const key = views.join("\u0000");
    const lookup = this.lookUp(views, this.groups.get(key), itemIds, now - this.settings.maxAgeMs, now - this.settings.maxAgeMs * REFRESH_AT_AGE);
    const misses = uniqueMisses(itemIds, lookup.missingRows);
    const refreshes = this.refreshInBackground(key, views, lookup.refreshIds);
    this.count("hit", itemIds.length - misses.length - refreshes);
    this.count("refresh", refreshes);
    this.count("miss", misses.length);
    if (misses.length === 0 && lookup.blocks) return byView(views, lookup.blocks);

    const fetched = await this.source.fetch(views, misses, deadline, signal);
    const group = this.groups.get(key);
    if (group && !sameLayouts(group, views, fetched)) {
      this.groups.delete(key);
      const all = await this.source.fetch(views, itemIds, deadline, signal);
      this.store(key, views, itemIds, all, now);
      return all;
    }
    this.store(key, views, misses, fetched, now);
    return this.completed(views, lookup, itemIds, misses, fetched);
  }

  release(rows: ReadonlyMap<string, FeatureRows>): void {
    for (const block of rows.values()) {
      this.scratch.release(block.values);
      this.scratch.release(block.statuses);
    }
  }

  private lookUp(views: string[], group: CachedRowGroup | undefined, itemIds: string[], servedSince: number, refreshBefore: number): Lookup {
    if (!group) return { blocks: undefined, missingRows: itemIds.map((_, i) => i), refreshIds: [] };
    const count = itemIds.length;
    const blocks = group.layouts.map((l, v) => this.block(views[v] as string, l.viewVersion, l.width, count));
    const missingRows: number[] = [];
    const refreshIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = itemIds[i] as string;
      const slot = group.freshSlot(id, servedSince);
      if (slot < 0) {
        missingRows.push(i);
        continue;
      }
      if (group.fetchedAt(slot) < refreshBefore) refreshIds.push(id);
      for (let v = 0; v < blocks.length; v++) group.copyTo(v, slot, blocks[v] as FeatureRows, i);
    }
    return { blocks, missingRows, refreshIds };
  }

  /** Queues the items not already due for a refresh; returns how many it queued. */
  private refreshInBackground(key: string, views: string[], ids: string[]): number {
    if (ids.length === 0) return 0;
    let refresh = this.refreshes.get(key);
    if (!refresh) {
      refresh = { views, due: new Set(), running: false };
      this.refreshes.set(key, refresh);
    }
    const before = refresh.due.size;
    for (const id of ids) refresh.due.add(id);
    const queued = refresh.due.size - before;
    if (!refresh.running) void this.runRefreshes(key, refresh);
    return queued;
  }

  /** One fetch at a time per group, each taking every item queued meanwhile: refreshes cost a round trip per batch, not per call. */
  private async runRefreshes(key: string, refresh: Refresh): Promise<void> {
    refresh.running = true;
    while (refresh.due.size > 0) {
      const ids = [...refresh.due];
      const started = this.clock();
      try {
        const fetched = await this.source.fetch(refresh.views, ids, started + this.settings.maxAgeMs);
        const group = this.groups.get(key);
        if (group && !sameLayouts(group, refresh.views, fetched)) this.groups.delete(key);
        else this.store(key, refresh.views, ids, fetched, started);
      } catch {
        this.count("refresh_failed", ids.length);
      }
      for (const id of ids) refresh.due.delete(id);
    }
    refresh.running = false;
  }

  /** The lookup's blocks with the missing rows filled from the fetched rows (rows of `misses`); a view that did not come back keeps its cached rows only. */
  private completed(views: string[], lookup: Lookup, itemIds: string[], misses: string[], fetched: Map<string, FeatureRows>): Map<string, FeatureRows> {
    const missAt = new Map(misses.map((id, i) => [id, i]));
    const answer = new Map<string, FeatureRows>();
    views.forEach((view, v) => {
      const rows = fetched.get(view);
      const cached = lookup.blocks?.[v];
      if (!rows) {
        if (cached) answer.set(view, withoutRows(cached, lookup.missingRows));
        return;
      }
      const block = cached ?? this.block(view, rows.viewVersion, rows.width, itemIds.length);
      for (const i of lookup.missingRows) {
        const j = missAt.get(itemIds[i] as string) as number;
        copyRow(rows.values, j * rows.width, block.values, i * rows.width, rows.width);
        block.statuses[i] = rows.statuses[j] ?? 0;
      }
      answer.set(view, block);
    });
    return answer;
  }

  /** A borrowed block of `rows` rows; every row is written before it is read. */
  private block(view: string, viewVersion: number, width: number, rows: number): FeatureRows {
    return { view, viewVersion, width, rows, values: this.scratch.floats(rows * width), statuses: this.scratch.bytes(rows) };
  }

  private count(result: ItemCacheResult, candidates: number): void {
    if (candidates > 0) this.observe(result, candidates);
  }

  /** Caches the fetched rows when every view came back (a group holds all its views or nothing). */
  private store(key: string, views: string[], ids: string[], fetched: Map<string, FeatureRows>, now: number): void {
    const rows = views.map((view) => fetched.get(view));
    if (!rows.every((r): r is FeatureRows => r !== undefined)) return;
    let group = this.groups.get(key);
    if (!group) {
      group = new CachedRowGroup(rows.map((r) => ({ viewVersion: r.viewVersion, width: r.width })), this.settings.maxRowsPerView);
      this.groups.set(key, group);
    }
    for (let i = 0; i < ids.length; i++) group.store(ids[i] as string, rows, i, now);
  }
}

/** The block with the given rows cleared (zeros, no status): rows a view's fetch did not answer. */
function withoutRows(block: FeatureRows, rows: number[]): FeatureRows {
  for (const r of rows) {
    block.values.fill(0, r * block.width, (r + 1) * block.width);
    block.statuses[r] = 0;
  }
  return block;
}

function byView(views: string[], blocks: FeatureRows[]): Map<string, FeatureRows> {
  return new Map(blocks.map((b, v) => [views[v] as string, b]));
}

/** A view whose version or width changed since its rows were cached invalidates the group. */
function sameLayouts(group: CachedRowGroup, views: string[], fetched: Map<string, FeatureRows>): boolean {
  return views.every((view, v) => {
    const rows = fetched.get(view);
    const known = group.layouts[v];
    return rows === undefined || (known !== undefined && known.viewVersion === rows.viewVersion && known.width === rows.width);
  });
}

/** Items missing from the cache, each once, in first-seen order. */
function uniqueMisses(itemIds: string[], missingRows: number[]): string[] {
  const misses = new Set<string>();
  for (const i of missingRows) misses.add(itemIds[i] as string);
  return [...misses];
}
