import { describe, expect, it } from "vitest";
import { RetryingQueue } from "./retrying-queue.js";

describe("RetryingQueue", () => {
  it("keeps items through a publishing outage and delivers each once it recovers", async () => {
    let up = false;
    const delivered: number[] = [];
    let failures = 0;
    const queue = new RetryingQueue<number>(
      async (n) => {
        if (!up) throw new Error("nats down");
        delivered.push(n);
      },
      { capacity: 100, concurrency: 4, initialRetryMs: 10, maxRetryMs: 40 },
      () => failures++,
    );
    for (let i = 0; i < 20; i++) expect(queue.enqueue(i)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(delivered).toEqual([]);
    expect(failures).toBeGreaterThan(0);
    expect(queue.pending).toBe(20);
    up = true;
    expect(await queue.drain(5_000)).toBe(0);
    expect([...delivered].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("refuses items beyond its capacity", () => {
    const queue = new RetryingQueue<number>(() => new Promise(() => undefined), { capacity: 2, concurrency: 1, initialRetryMs: 10, maxRetryMs: 10 });
    expect([queue.enqueue(1), queue.enqueue(2), queue.enqueue(3), queue.enqueue(4)]).toEqual([true, true, true, false]);
  });
});
