import { describe, expect, it } from "vitest";
import { ResourceExhaustedError } from "../../kit/errors/errors.js";
import { ChangeQueue } from "./change-queue.js";

describe("ChangeQueue", () => {
  it("hands items over in order, waits for the next, ends on close or abort", async () => {
    const q = new ChangeQueue<number>(10);
    const never = new AbortController().signal;
    q.push(1);
    expect(await q.next(never)).toBe(1);
    const pending = q.next(never);
    q.push(2);
    expect(await pending).toBe(2);
    const aborter = new AbortController();
    const aborted = q.next(aborter.signal);
    aborter.abort();
    expect(await aborted).toBeUndefined();
    q.close();
    expect(await q.next(never)).toBeUndefined();
  });

  it("cuts off a consumer that falls more than the limit behind", async () => {
    const q = new ChangeQueue<number>(2);
    for (let i = 0; i < 3; i++) q.push(i);
    await expect(q.next(new AbortController().signal)).rejects.toBeInstanceOf(ResourceExhaustedError);
  });
});
