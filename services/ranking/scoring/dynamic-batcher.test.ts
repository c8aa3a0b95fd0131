import { describe, expect, it } from "vitest";
import { DynamicBatcher, type BatchStats } from "./dynamic-batcher.js";

/** A runner whose score for a row is the sum of its columns, recording each run's size. */
function summingRunner(width: number, runs: number[]) {
  return async (input: Float32Array, rows: number) => {
    runs.push(rows);
    await new Promise((r) => setTimeout(r, 5));
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) out[r] = (out[r] as number) + (input[r * width + c] as number);
    return out;
  };
}

const rowsOf = (width: number, values: number[]) => {
  const a = new Float32Array(values.length * width);
  values.forEach((v, r) => a.fill(v, r * width, (r + 1) * width));
  return a;
};

describe("DynamicBatcher", () => {
  it("coalesces concurrent calls into one run and splits the scores back per call in order", async () => {
    const runs: number[] = [];
    const stats: BatchStats[] = [];
    const batcher = new DynamicBatcher(summingRunner(2, runs), { width: 2, maxBatchRows: 100, maxWaitMicros: 200 }, (s) => stats.push(s));
    const results = await Promise.all([
      batcher.submit(rowsOf(2, [1, 2]), 2),
      batcher.submit(rowsOf(2, [3]), 1),
      batcher.submit(rowsOf(2, [4, 5, 6]), 3),
    ]);
    expect(results.map((r) => [...r])).toEqual([[2, 4], [6], [8, 10, 12]]);
    expect(runs).toEqual([6]);
    expect(stats).toEqual([{ rows: 6, calls: 3 }]);
  });

  it("packs consecutive batches into a reused buffer, each batch scored on its own rows", async () => {
    const runs: number[] = [];
    const batcher = new DynamicBatcher(summingRunner(2, runs), { width: 2, maxBatchRows: 100, maxWaitMicros: 200 });
    const first = await Promise.all([batcher.submit(rowsOf(2, [1, 2, 3]), 3), batcher.submit(rowsOf(2, [4]), 1)]);
    const second = await Promise.all([batcher.submit(rowsOf(2, [5]), 1), batcher.submit(rowsOf(2, [6]), 1)]);
    expect([...first, ...second].map((r) => [...r])).toEqual([[2, 4, 6], [8], [10], [12]]);
    expect(runs).toEqual([4, 2]);
  });

  it("never exceeds maxBatchRows (except a single call larger than it) and queues calls arriving during a run", async () => {
    const runs: number[] = [];
    const batcher = new DynamicBatcher(summingRunner(1, runs), { width: 1, maxBatchRows: 4, maxWaitMicros: 0 });
    const calls = [3, 3, 2, 6, 1].map((n) => batcher.submit(rowsOf(1, Array.from({ length: n }, () => 1)), n));
    const results = await Promise.all(calls);
    expect(results.map((r) => r.length)).toEqual([3, 3, 2, 6, 1]);
    expect(runs.every((n) => n <= 4 || n === 6)).toBe(true);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(15);
  });

  it("rejects every call of a failed batch and keeps serving later ones", async () => {
    let fail = true;
    const batcher = new DynamicBatcher(
      async (_input, rows) => {
        if (fail) throw new Error("inference failed");
        return new Float32Array(rows).fill(1);
      },
      { width: 1, maxBatchRows: 10, maxWaitMicros: 100 },
    );
    const failed = await Promise.allSettled([batcher.submit(new Float32Array(1), 1), batcher.submit(new Float32Array(2), 2)]);
    expect(failed.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect([...(await batcher.submit(new Float32Array(1), 1))]).toEqual([1]);
  });

  it("runs every call on its own when batching is off", async () => {
    const runs: number[] = [];
    const batcher = new DynamicBatcher(summingRunner(1, runs), { width: 1, maxBatchRows: 0, maxWaitMicros: 0 });
    await Promise.all([batcher.submit(rowsOf(1, [1]), 1), batcher.submit(rowsOf(1, [2, 3]), 2)]);
    expect(runs.sort()).toEqual([1, 2]);
  });
});
