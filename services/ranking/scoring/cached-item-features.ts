import { setTimeout as sleep } from "node:timers/promises";
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
 * answering (`miss`), not cached but already being fetched for another call,
 * whose fetch this one waited for instead of asking again (`joined`), served
 * from the cache and fetched again in the background (`refresh`), or not
 * refreshed because that fetch failed.
 */
export type ItemCacheResult = "hit" | "miss" | "joined" | "refresh" | "refresh_failed";
export type ItemCacheObserver = (result: ItemCacheResult, candidates: number) => void;

/** A call's rows as the cache could answer them: a block per view with every cached row in place, the rows still to fill, and the items due for a refresh. */
interface Lookup {
  group: CachedRowGroup | undefined;
  blocks: FeatureRows[] | undefined;
  missingRows: number[];
  refreshIds: string[];
}

/** Rows fetched for some items: each view's `rows`, and the row (`at`) of each item in them. */
interface Fetched {
  at: Map<string, number>;
  rows: Map<string, FeatureRows>;
}

/** Share of the maximum age after which a served row is fetched again in the background. */
const REFRESH_AT_AGE = 0.75;
/**
 * Share of the maximum age a background refresh waits to collect the items
 * coming due, so that a steady stream of calls costs a few refresh fetches a
 * second instead of one per call; it stays well inside the time left before
 * the rows expire.
 */
const REFRESH_WINDOW = 0.1;
/** Most items one background refresh fetch asks for: about one call's candidates, the size a hydration lookup's timeout is set for. */
const REFRESH_BATCH_ITEMS = 1_000;

interface Refresh {
  views: string[];
  due: Set<string>;
  running: boolean;
}

const settle = () => undefined;
const unrefSleep = (ms: number) => sleep(ms, undefined, { ref: false });

/**
 * Item feature rows kept in the ranking process for a bounded time, in front
 * of the feature service. Item rows are shared by every user's request, so
 * consecutive calls mostly rank items another call just hydrated; only the
 * candidates not cached (or older than `maxAgeMs`) are fetched, in one lookup
 * per view. Rows are served at most `maxAgeMs` older than the store: the
 * freshness this trades for one feature round trip per call. A candidate
 * another call is already fetching is not asked for again: the call waits for
 * that fetch (and fetches the item itself only if that fetch left it
 * uncached), so concurrent calls meeting a cold or expired cache ask for each
 * item once instead of once per call. A row past 3/4 of its maximum age is
 * still served, and fetched again in the background (one fetch at a time per
 * set of views, taking every item that came due in the last tenth of the
 * maximum age), so items that keep being ranked are refreshed before they
 * expire instead of making a call wait. Rows are cached per set of views asked
 * for together (a model's item views). The blocks it answers with are
 * borrowed: the caller hands them back with `release`.
 */
export class CachedItemFeatures implements ItemFeatureSource {
  private readonly groups = new Map<string, CachedRowGroup>();
  private readonly scratch = new ScratchArrays();
  /** Each group's items being fetched again in the background, or waiting to be. */
  private readonly refreshes = new Map<string, Refresh>();
  /** Each group's items being fetched for a call, and when that fetch settles (rows cached or not). */
  private readonly inFlight = new Map<string, Map<string, Promise<void>>>();

  constructor(
    private readonly source: ItemFeatureSource,
    private readonly settings: ItemCacheSettings,
    private readonly observe: ItemCacheObserver = () => undefined,
    private readonly clock: () => number = Date.now,
    private readonly pause: (ms: number) => Promise<unknown> = unrefSleep,
  ) {}

  async fetch(views: string[], itemIds: string[], deadline: number, signal?: AbortSignal): Promise<Map<string, FeatureRows>> {
    const now = this.clock();
    const key = views.join("\u0000");
    const servedSince = now - this.settings.maxAgeMs;
    const lookup = this.lookUp(views, this.groups.get(key), itemIds, servedSince, now - this.settings.maxAgeMs * REFRESH_AT_AGE);
    const fetching = this.fetchingIn(key);
    const own: string[] = [];
    const waits = new Set<Promise<void>>();
    let joined = 0;
    for (const id of uniqueMisses(itemIds, lookup.missingRows)) {
      const pending = fetching.get(id);
      if (pending) {
        waits.add(pending);
        joined++;
      } else own.push(id);
    }
    const refreshes = this.refreshInBackground(key, views, lookup.refreshIds);
    this.count("hit", itemIds.length - own.length - joined - refreshes);
    this.count("refresh", refreshes);
    this.count("miss", own.length);
    this.count("joined", joined);
    if (lookup.missingRows.length === 0 && lookup.blocks) return byView(views, lookup.blocks);

    const [fetched] = await Promise.all([own.length > 0 ? this.fetchShared(key, views, own, deadline, signal, now) : undefined, ...waits]);
    if (lookup.group && this.groups.get(key) !== lookup.group) {
      const all = await this.source.fetch(views, itemIds, deadline, signal);
      this.keep(key, views, itemIds, all, now);
      return all;
    }
    const answers = fetched ? [fetched] : [];
    const late = this.notCached(key, itemIds, lookup.missingRows, fetched, servedSince);
    if (late.length > 0) answers.push(await this.fetchShared(key, views, late, deadline, signal, now));
    return this.completed(views, key, lookup, itemIds, answers, servedSince);
  }

  release(rows: ReadonlyMap<string, FeatureRows>): void {
    for (const block of rows.values()) {
      this.scratch.release(block.values);
      this.scratch.release(block.statuses);
    }
  }

  private lookUp(views: string[], group: CachedRowGroup | undefined, itemIds: string[], servedSince: number, refreshBefore: number): Lookup {
    if (!group) return { group, blocks: undefined, missingRows: itemIds.map((_, i) => i), refreshIds: [] };
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
    return { group, blocks, missingRows, refreshIds };
  }

  private fetchingIn(key: string): Map<string, Promise<void>> {
    let fetching = this.inFlight.get(key);
    if (!fetching) {
      fetching = new Map();
      this.inFlight.set(key, fetching);
    }
    return fetching;
  }

  /** Fetches `ids` for a call and caches them; meanwhile, other calls missing any of them wait for this fetch. */
  private async fetchShared(key: string, views: string[], ids: string[], deadline: number, signal: AbortSignal | undefined, now: number): Promise<Fetched> {
    const fetching = this.fetchingIn(key);
    const rows = this.source.fetch(views, ids, deadline, signal);
    const settled = rows.then((fetched) => this.keep(key, views, ids, fetched, now)).then(settle, settle);
    for (const id of ids) fetching.set(id, settled);
    void settled.then(() => {
      for (const id of ids) if (fetching.get(id) === settled) fetching.delete(id);
    });
    return { at: new Map(ids.map((id, j) => [id, j])), rows: await rows };
  }

  /** The missing items neither this call's fetch answered nor another call's left in the cache (that fetch failed, say). */
  private notCached(key: string, itemIds: string[], missingRows: number[], own: Fetched | undefined, servedSince: number): string[] {
    const group = this.groups.get(key);
    const late = new Set<string>();
    for (const i of missingRows) {
      const id = itemIds[i] as string;
      if (!own?.at.has(id) && !(group && group.freshSlot(id, servedSince) >= 0)) late.add(id);
    }
    return [...late];
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

  /** One fetch at a time per group, each taking up to REFRESH_BATCH_ITEMS of the items queued in its window or meanwhile: refreshes cost a round trip per batch, not per call. */
  private async runRefreshes(key: string, refresh: Refresh): Promise<void> {
    refresh.running = true;
    await this.pause(this.settings.maxAgeMs * REFRESH_WINDOW);
    while (refresh.due.size > 0) {
      const ids = firstOf(refresh.due, REFRESH_BATCH_ITEMS);
      const started = this.clock();
      try {
        this.keep(key, refresh.views, ids, await this.source.fetch(refresh.views, ids, started + this.settings.maxAgeMs), started);
      } catch {
        this.count("refresh_failed", ids.length);
      }
      for (const id of ids) refresh.due.delete(id);
    }
    refresh.running = false;
  }

  /**
   * The lookup's blocks with each missing row filled from the rows fetched for
   * it, or else from the cache (another call fetched it); a row neither holds
   * (its view did not come back) is left without features.
   */
  private completed(views: string[], key: string, lookup: Lookup, itemIds: string[], answers: Fetched[], servedSince: number): Map<string, FeatureRows> {
    const group = this.groups.get(key);
    const answer = new Map<string, FeatureRows>();
    views.forEach((view, v) => {
      const layout = lookup.blocks?.[v] ?? answers.map((a) => a.rows.get(view)).find((r) => r !== undefined) ?? group?.layouts[v];
      if (!layout) return;
      const block = lookup.blocks?.[v] ?? this.block(view, layout.viewVersion, layout.width, itemIds.length);
      const known = group?.layouts[v];
      const cached = known && known.viewVersion === block.viewVersion && known.width === block.width ? group : undefined;
      for (const i of lookup.missingRows) {
        const id = itemIds[i] as string;
        if (fillFrom(answers, view, id, block, i)) continue;
        const slot = cached ? cached.freshSlot(id, servedSince) : -1;
        if (slot >= 0) cached?.copyTo(v, slot, block, i);
        else clearRow(block, i);
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

  /**
   * Caches the fetched rows when every view came back (a group holds all its
   * views or nothing); rows of a view whose version or width changed replace
   * the whole group.
   */
  private keep(key: string, views: string[], ids: string[], fetched: Map<string, FeatureRows>, now: number): void {
    let group = this.groups.get(key);
    if (group && !sameLayouts(group, views, fetched)) {
      this.groups.delete(key);
      group = undefined;
    }
    const rows = views.map((view) => fetched.get(view));
    if (!rows.every((r): r is FeatureRows => r !== undefined)) return;
    if (!group) {
      group = new CachedRowGroup(rows.map((r) => ({ viewVersion: r.viewVersion, width: r.width })), this.settings.maxRowsPerView);
      this.groups.set(key, group);
    }
    for (let i = 0; i < ids.length; i++) group.store(ids[i] as string, rows, i, now);
  }
}

/** Copies the item's row of `view` from the first answer holding it into row `row` of `block`; false when none does. */
function fillFrom(answers: Fetched[], view: string, id: string, block: FeatureRows, row: number): boolean {
  for (const a of answers) {
    const j = a.at.get(id);
    const rows = a.rows.get(view);
    if (j === undefined || !rows || rows.width !== block.width) continue;
    copyRow(rows.values, j * rows.width, block.values, row * rows.width, rows.width);
    block.statuses[row] = rows.statuses[j] ?? 0;
    return true;
  }
  return false;
}

/** Clears a row no fetch answered (zeros, no status). */
function clearRow(block: FeatureRows, row: number): void {
  block.values.fill(0, row * block.width, (row + 1) * block.width);
  block.statuses[row] = 0;
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

/** The first `n` items of a set, in insertion order. */
function firstOf(items: Set<string>, n: number): string[] {
  const first: string[] = [];
  for (const id of items) {
    if (first.length === n) break;
    first.push(id);
  }
  return first;
}

/** Items missing from the cache, each once, in first-seen order. */
function uniqueMisses(itemIds: string[], missingRows: number[]): string[] {
  const misses = new Set<string>();
  for (const i of missingRows) misses.add(itemIds[i] as string);
  return [...misses];
}
