import { describe, expect, it } from "vitest";
import { testLogger } from "../../kit/testing/test-logger.js";
import { loadOnnxModel } from "../adapters/onnx-model.js";
import { Ranker } from "../ranker.js";
import { RecentInputs } from "../scoring/recent-inputs.js";
import { basis, testModel, testRegistry, viewRows } from "../testing-fixtures.js";
import { ModelManager, type Announcement } from "./model-manager.js";
import { ModelTable } from "./model-table.js";
import type { ServingModel } from "./serving-model.js";

function announce(dir: string): Announcement {
  const m = testModel(dir);
  return { contract: m.contract, bytes: async () => m.bytes };
}

function setup() {
  const table = new ModelTable<ServingModel>();
  const rejected: string[] = [];
  const manager = new ModelManager({
    table,
    registry: testRegistry,
    loadGraph: (bytes, contract) => loadOnnxModel(bytes, contract, { provider: "cpu", intraOpThreads: 1, allowSpinning: false }, testLogger()),
    recent: new RecentInputs(4),
    batching: { maxBatchRows: 4096, maxWaitMicros: 200 },
    warmupRuns: 1,
    onBatch: () => undefined,
    onRejected: (c, reason) => rejected.push(`${c.name}/${c.version}: ${reason}`),
    onServing: () => undefined,
  });
  const noHydration = { fetch: async () => new Map() };
  const ranker = new Ranker(table, noHydration, new RecentInputs(4), { maxCandidates: 1000 });
  return { table, manager, ranker, rejected };
}

/** 20 candidates whose dot product with the user (basis 0) is i/10 for item i. */
function request() {
  const items = Array.from({ length: 20 }, (_, i) => basis(0, i / 10));
  return {
    userId: "u1",
    userFeatures: new Map([["user_taste", viewRows("user_taste", [basis(0)])]]),
    itemIds: items.map((_, i) => `item-${i}`),
    itemFeatures: new Map([["item_content", viewRows("item_content", items)]]),
    deadline: Date.now() + 10_000,
  };
}

describe("ModelManager + Ranker on real ONNX graphs", () => {
  it("serves a loaded model and orders candidates by its scores", async () => {
    const { manager, ranker, table } = setup();
    expect(await manager.apply(announce("dot/1"))).toBe(true);
    const out = await ranker.rank(request());
    expect(out.model).toEqual({ name: "dot", version: "1" });
    expect(out.order[0]).toBe(19);
    expect(out.scores[5]).toBeCloseTo(0.5, 5);
    expect(manager.statuses().map((s) => [s.contract.version, s.state, s.provider])).toEqual([["1", "serving", "cpu"]]);
    await table.close();
  });

  it("scores concurrent and later calls each on their own rows while model inputs and hydrated blocks are reused", async () => {
    const { manager, table } = setup();
    await manager.apply(announce("dot/1"));
    const released: string[] = [];
    const hydrating = {
      fetch: async (_views: string[], itemIds: string[]) => new Map([["item_content", viewRows("item_content", itemIds.map((_, i) => basis(0, i / 10)))]]),
      release: (rows: ReadonlyMap<string, unknown>) => released.push(...rows.keys()),
    };
    const ranker = new Ranker(table, hydrating, new RecentInputs(4), { maxCandidates: 1000 });
    const call = (k: number) => ranker.rank({ ...request(), userFeatures: new Map([["user_taste", viewRows("user_taste", [basis(0, k)])]]), itemFeatures: new Map() });
    for (const round of [0, 1]) {
      const outs = await Promise.all([1, 2, 3, 4].map((k) => call(k + round)));
      outs.forEach((out, j) => expect(out.scores[5]).toBeCloseTo((j + 1 + round) * 0.5, 5));
    }
    expect(released).toEqual(Array.from({ length: 8 }, () => "item_content"));
    await table.close();
  });

  it("rejects a mismatched contract with its reason while the current version keeps serving", async () => {
    const { manager, ranker, rejected, table } = setup();
    await manager.apply(announce("dot/1"));
    expect(await manager.apply(announce("unknown/1"))).toBe(false);
    expect(await manager.apply({ ...announce("wide/1"), contract: { ...announce("wide/1").contract, name: "dot", version: "9" } })).toBe(false);
    expect(rejected).toHaveLength(2);
    expect(rejected[1]).toMatch(/^dot\/9: graph input "features" has shape/);
    expect((await ranker.rank(request())).model.version).toBe("1");
    expect(manager.statuses().filter((s) => s.state === "rejected").map((s) => s.rejectionReason)).toHaveLength(2);
    await table.close();
  });

  it("hot-swaps under concurrent calls: none fails and each call's scores come from one version only", async () => {
    const { manager, ranker, table } = setup();
    await manager.apply(announce("dot/1"));
    const calls: Promise<{ version: string; scores: Float32Array }>[] = [];
    let swapped = false;
    const swap = (async () => {
      await new Promise((r) => setTimeout(r, 5));
      await manager.apply(announce("dot/2"));
      swapped = true;
    })();
    for (let i = 0; i < 400 && (!swapped || i < 50); i++) {
      calls.push(ranker.rank(request()).then((o) => ({ version: o.model.version, scores: o.scores })));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await swap;
    calls.push(ranker.rank(request()).then((o) => ({ version: o.model.version, scores: o.scores })));
    const results = await Promise.all(calls);
    const versions = new Set(results.map((r) => r.version));
    expect(versions).toEqual(new Set(["1", "2"]));
    for (const r of results) {
      for (let i = 0; i < 20; i++) {
        const dot = i / 10;
        expect(r.scores[i]).toBeCloseTo(r.version === "1" ? dot : 2 * dot + 1, 5);
      }
    }
    expect(table.entries().map((e) => e.version)).toEqual(["2"]);
    await table.close();
  });

  it("scores NaN outputs last and counts them", async () => {
    const { manager, ranker, table } = setup();
    await manager.apply(announce("nan/1"));
    const req = request();
    req.itemFeatures = new Map([["item_content", viewRows("item_content", [basis(0, 2), basis(0, -1), basis(0, 1)])]]);
    req.itemIds = ["a", "b", "c"];
    const out = await ranker.rank(req);
    expect(out.nonFiniteItems).toBe(1);
    expect([...out.order]).toEqual([0, 2, 1]);
    expect(out.scores.every((s) => Number.isFinite(s))).toBe(true);
    await table.close();
  });

  it("refuses too many candidates and mis-sized feature blocks with INVALID_ARGUMENT naming the field", async () => {
    const { manager, ranker, table } = setup();
    await manager.apply(announce("dot/1"));
    await expect(ranker.rank({ ...request(), itemIds: Array.from({ length: 1001 }, (_, i) => `i${i}`) })).rejects.toThrow(
      /item_ids: 1001 candidates exceed the limit of 1000/,
    );
    await expect(ranker.rank({ ...request(), itemIds: ["only-one"] })).rejects.toThrow(/item_features\[item_content\]: has 20 rows, expected 1/);
    await table.close();
  });

  it("warms a new version on the recent calls' features before it takes traffic", async () => {
    const table = new ModelTable<ServingModel>();
    const recent = new RecentInputs(4);
    const warmups: { rows: number; servedAlready: boolean }[] = [];
    const manager = new ModelManager({
      table,
      registry: testRegistry,
      loadGraph: async (bytes, contract) => {
        const graph = await loadOnnxModel(bytes, contract, { provider: "cpu", intraOpThreads: 1, allowSpinning: false }, testLogger());
        return {
          ...graph,
          provider: graph.provider,
          run: (input, rows) => {
            if (contract.version === "2") warmups.push({ rows, servedAlready: table.entries().some((e) => e.model.contract.version === "2") });
            return graph.run(input, rows);
          },
          release: () => graph.release(),
        };
      },
      recent,
      batching: { maxBatchRows: 4096, maxWaitMicros: 200 },
      warmupRuns: 2,
      onBatch: () => undefined,
      onRejected: () => undefined,
      onServing: () => undefined,
    });
    const ranker = new Ranker(table, { fetch: async () => new Map() }, recent, { maxCandidates: 1000 });
    await manager.apply(announce("dot/1"));
    await ranker.rank(request());
    await ranker.rank({ ...request(), itemIds: ["a", "b", "c"], itemFeatures: new Map([["item_content", viewRows("item_content", [basis(0), basis(1), basis(2)])]]) });
    expect(await manager.apply({ ...announce("dot/1"), contract: { ...announce("dot/1").contract, version: "2" } })).toBe(true);
    expect(warmups.map((w) => w.rows).sort((x, y) => x - y)).toEqual([3, 3, 20, 20]);
    expect(warmups.every((w) => !w.servedAlready)).toBe(true);
    expect((await ranker.rank(request())).model.version).toBe("2");
    await table.close();
  });
});
