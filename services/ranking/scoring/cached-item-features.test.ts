import { describe, expect, it } from "vitest";
import type { ItemFeatureSource } from "../ranker.js";
import { CachedItemFeatures, type ItemCacheResult } from "./cached-item-features.js";
import { ROW_MISSING, ROW_PRESENT, type FeatureRows } from "./feature-rows.js";

/** A feature source whose rows encode the item id and a generation, recording what it was asked. */
class CountingSource implements ItemFeatureSource {
  readonly asked: string[][] = [];
  generation = 1;
  viewVersion = 1;
  failing = false;
  /** A view this source leaves out of its answers. */
  omitted?: string;

  async fetch(views: string[], itemIds: string[]): Promise<Map<string, FeatureRows>> {
    this.asked.push([...itemIds]);
    if (this.failing) throw new Error("feature service down");
    return new Map(
      views.filter((view) => view !== this.omitted).map((view) => {
        const width = view === "wide" ? 3 : 2;
        const values = new Float32Array(itemIds.length * width);
        itemIds.forEach((id, i) => values.fill(Number(id.slice(1)) * 10 + this.generation, i * width, (i + 1) * width));
        const statuses = new Uint8Array(itemIds.map((id) => (id === "i0" ? ROW_MISSING : ROW_PRESENT)));
        return [view, { view, viewVersion: this.viewVersion, width, rows: itemIds.length, values, statuses }];
      }),
    );
  }
}

const firstColumn = (rows: FeatureRows | undefined) => Array.from({ length: rows?.rows ?? 0 }, (_, i) => rows?.values[i * (rows?.width ?? 0)]);

const flushBackground = () => new Promise((resolve) => setImmediate(resolve));

function cacheOver(source: CountingSource, settings = { maxAgeMs: 1_000, maxRowsPerView: 100 }) {
  let now = 0;
  const observed: [ItemCacheResult, number][] = [];
  const windows: { ms: number; end: () => void }[] = [];
  const pause = (ms: number) => new Promise<void>((end) => windows.push({ ms, end }));
  const cache = new CachedItemFeatures(source, settings, (result, candidates) => observed.push([result, candidates]), () => now, pause);
  /** Ends the refresh windows opened so far and lets their fetches finish; the lengths they asked for. */
  const endRefreshWindows = async () => {
    const ended = windows.splice(0);
    for (const w of ended) w.end();
    await flushBackground();
    return ended.map((w) => w.ms);
  };
  return { cache, observed, advance: (ms: number) => (now += ms), endRefreshWindows };
}

describe("CachedItemFeatures", () => {
  it("serves a repeated call from the cache, rows and statuses as first fetched", async () => {
    const source = new CountingSource();
    const { cache, observed } = cacheOver(source);
    const first = await cache.fetch(["narrow", "wide"], ["i1", "i0", "i2"], Infinity);
    const second = await cache.fetch(["narrow", "wide"], ["i1", "i0", "i2"], Infinity);
    expect(source.asked).toEqual([["i1", "i0", "i2"]]);
    expect(observed).toEqual([
      ["miss", 3],
      ["hit", 3],
    ]);
    for (const view of ["narrow", "wide"]) {
      expect(second.get(view)).toEqual(first.get(view));
      expect(Array.from(second.get(view)?.statuses ?? [])).toEqual([ROW_PRESENT, ROW_MISSING, ROW_PRESENT]);
    }
    expect(firstColumn(second.get("wide"))).toEqual([11, 1, 21]);
  });

  it("fetches only the candidates it does not hold, each once, and answers in the caller's order", async () => {
    const source = new CountingSource();
    const { cache } = cacheOver(source);
    await cache.fetch(["narrow"], ["i1", "i2"], Infinity);
    source.generation = 2;
    const rows = await cache.fetch(["narrow"], ["i3", "i2", "i4", "i3"], Infinity);
    expect(source.asked[1]).toEqual(["i3", "i4"]);
    expect(firstColumn(rows.get("narrow"))).toEqual([32, 21, 42, 32]);
    expect(rows.get("narrow")?.values.length).toBe(4 * 2);
  });

  it("fetches a row again before answering once it is older than the maximum age", async () => {
    const source = new CountingSource();
    const { cache, advance } = cacheOver(source);
    await cache.fetch(["narrow"], ["i1"], Infinity);
    source.generation = 2;
    advance(1_001);
    expect(firstColumn((await cache.fetch(["narrow"], ["i1"], Infinity)).get("narrow"))).toEqual([12]);
    expect(source.asked).toEqual([["i1"], ["i1"]]);
  });

  it("asks once for a candidate several concurrent calls miss: the later calls wait for that fetch and fetch only what nobody is fetching", async () => {
    const source = new CountingSource();
    const { cache, observed } = cacheOver(source);
    const first = cache.fetch(["narrow", "wide"], ["i1", "i2"], Infinity);
    const second = cache.fetch(["narrow", "wide"], ["i2", "i3", "i1"], Infinity);
    const third = cache.fetch(["narrow", "wide"], ["i1"], Infinity);
    expect(firstColumn((await second).get("wide"))).toEqual([21, 31, 11]);
    expect(firstColumn((await second).get("narrow"))).toEqual([21, 31, 11]);
    expect(firstColumn((await first).get("narrow"))).toEqual([11, 21]);
    expect(firstColumn((await third).get("wide"))).toEqual([11]);
    expect(Array.from((await third).get("wide")?.statuses ?? [])).toEqual([ROW_PRESENT]);
    expect(source.asked).toEqual([["i1", "i2"], ["i3"]]);
    expect(observed).toEqual([
      ["miss", 2],
      ["miss", 1],
      ["joined", 2],
      ["joined", 1],
    ]);
  });

  it("fetches a candidate itself when the concurrent fetch it waited for failed", async () => {
    const source = new CountingSource();
    const { cache } = cacheOver(source);
    source.failing = true;
    const failed = cache.fetch(["narrow"], ["i1", "i2"], Infinity);
    source.failing = false;
    const waited = cache.fetch(["narrow"], ["i3", "i2"], Infinity);
    await expect(failed).rejects.toThrow("feature service down");
    expect(firstColumn((await waited).get("narrow"))).toEqual([31, 21]);
    expect(source.asked).toEqual([["i1", "i2"], ["i3"], ["i2"]]);
    expect(firstColumn((await cache.fetch(["narrow"], ["i1", "i2", "i3"], Infinity)).get("narrow"))).toEqual([11, 21, 31]);
    expect(source.asked.at(-1)).toEqual(["i1"]);
  });

  it("serves a row past 3/4 of its maximum age and refreshes it in the background, once while that fetch runs", async () => {
    const source = new CountingSource();
    const { cache, observed, advance, endRefreshWindows } = cacheOver(source);
    await cache.fetch(["narrow"], ["i1", "i2"], Infinity);
    advance(400);
    await cache.fetch(["narrow"], ["i3"], Infinity);
    source.generation = 2;
    advance(400);
    const served = cache.fetch(["narrow"], ["i1", "i3", "i2"], Infinity);
    const again = cache.fetch(["narrow"], ["i2", "i1"], Infinity);
    expect(firstColumn((await served).get("narrow"))).toEqual([11, 31, 21]);
    expect(firstColumn((await again).get("narrow"))).toEqual([21, 11]);
    expect(source.asked).toHaveLength(2);
    expect(await endRefreshWindows()).toEqual([100]);
    expect(source.asked).toEqual([["i1", "i2"], ["i3"], ["i1", "i2"]]);
    expect(observed.slice(2)).toEqual([
      ["hit", 1],
      ["refresh", 2],
      ["hit", 2],
    ]);
    advance(400);
    expect(firstColumn((await cache.fetch(["narrow"], ["i1", "i2"], Infinity)).get("narrow"))).toEqual([12, 22]);
    expect(source.asked).toHaveLength(3);
  });

  it("refreshes every item that came due during the refresh window in one fetch", async () => {
    const source = new CountingSource();
    const { cache, observed, advance, endRefreshWindows } = cacheOver(source);
    await cache.fetch(["narrow"], ["i1", "i2", "i3"], Infinity);
    advance(800);
    await cache.fetch(["narrow"], ["i1"], Infinity);
    advance(20);
    await cache.fetch(["narrow"], ["i2", "i1"], Infinity);
    advance(20);
    await cache.fetch(["narrow"], ["i3"], Infinity);
    expect(await endRefreshWindows()).toEqual([100]);
    expect(source.asked).toEqual([["i1", "i2", "i3"], ["i1", "i2", "i3"]]);
    expect(observed.filter(([result]) => result === "refresh")).toEqual([
      ["refresh", 1],
      ["refresh", 1],
      ["refresh", 1],
    ]);
  });

  it("refreshes a large set of due items in fetches of at most 1,000 items", async () => {
    const source = new CountingSource();
    const { cache, advance, endRefreshWindows } = cacheOver(source, { maxAgeMs: 1_000, maxRowsPerView: 5_000 });
    const ids = Array.from({ length: 2_500 }, (_, i) => `i${i + 1}`);
    await cache.fetch(["narrow"], ids, Infinity);
    advance(800);
    await cache.fetch(["narrow"], ids, Infinity);
    await endRefreshWindows();
    await flushBackground();
    expect(source.asked.slice(1).map((asked) => asked.length)).toEqual([1_000, 1_000, 500]);
    expect(source.asked.slice(1).flat()).toEqual(ids);
  });

  it("keeps serving the cached row when its background refresh fails, and counts the failure", async () => {
    const source = new CountingSource();
    const { cache, observed, advance, endRefreshWindows } = cacheOver(source);
    await cache.fetch(["narrow"], ["i1"], Infinity);
    source.failing = true;
    advance(800);
    expect(firstColumn((await cache.fetch(["narrow"], ["i1"], Infinity)).get("narrow"))).toEqual([11]);
    await endRefreshWindows();
    expect(observed.at(-1)).toEqual(["refresh_failed", 1]);
    source.failing = false;
    expect(firstColumn((await cache.fetch(["narrow"], ["i1"], Infinity)).get("narrow"))).toEqual([11]);
    await endRefreshWindows();
    expect(source.asked).toHaveLength(3);
  });

  it("keeps at most maxRowsPerView rows, dropping the least recently fetched", async () => {
    const source = new CountingSource();
    const { cache } = cacheOver(source, { maxAgeMs: 1_000, maxRowsPerView: 2 });
    await cache.fetch(["narrow"], ["i1", "i2"], Infinity);
    await cache.fetch(["narrow"], ["i3"], Infinity);
    await cache.fetch(["narrow"], ["i2", "i3"], Infinity);
    await cache.fetch(["narrow"], ["i1"], Infinity);
    expect(source.asked).toEqual([["i1", "i2"], ["i3"], ["i1"]]);
  });

  it("drops every cached row of a view whose version changed and answers only with the new layout", async () => {
    const source = new CountingSource();
    const { cache } = cacheOver(source);
    await cache.fetch(["narrow"], ["i1", "i2"], Infinity);
    source.viewVersion = 2;
    source.generation = 2;
    const rows = await cache.fetch(["narrow"], ["i1", "i3"], Infinity);
    expect(source.asked.slice(1)).toEqual([["i3"], ["i1", "i3"]]);
    expect(rows.get("narrow")?.viewVersion).toBe(2);
    expect(firstColumn(rows.get("narrow"))).toEqual([12, 32]);
    await cache.fetch(["narrow"], ["i1", "i3"], Infinity);
    expect(source.asked).toHaveLength(3);
  });

  it("passes a failed fetch on and caches nothing from it", async () => {
    const source = new CountingSource();
    const { cache } = cacheOver(source);
    source.failing = true;
    await expect(cache.fetch(["narrow"], ["i1"], Infinity)).rejects.toThrow("feature service down");
    source.failing = false;
    await cache.fetch(["narrow"], ["i1"], Infinity);
    expect(source.asked).toEqual([["i1"], ["i1"]]);
  });

  it("reuses the blocks a caller released, each later answer holding its own rows only", async () => {
    const source = new CountingSource();
    const { cache } = cacheOver(source);
    const first = await cache.fetch(["narrow", "wide"], ["i1", "i2"], Infinity);
    cache.release(first);
    const second = await cache.fetch(["narrow", "wide"], ["i3", "i1"], Infinity);
    expect(second.get("wide")?.values.buffer).toBe(first.get("wide")?.values.buffer);
    expect(firstColumn(second.get("narrow"))).toEqual([31, 11]);
    expect(firstColumn(second.get("wide"))).toEqual([31, 11]);
    cache.release(second);
    source.omitted = "wide";
    const third = await cache.fetch(["narrow", "wide"], ["i4", "i1"], Infinity);
    expect(firstColumn(third.get("narrow"))).toEqual([41, 11]);
    expect(Array.from(third.get("wide")?.values ?? [])).toEqual([0, 0, 0, 11, 11, 11]);
    expect(Array.from(third.get("wide")?.statuses ?? [])).toEqual([0, ROW_PRESENT]);
  });
});
