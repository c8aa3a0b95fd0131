import { describe, expect, it } from "vitest";
import { answerInOrder } from "./ordered-window.js";

/** A request source the test feeds by hand, recording how many requests were pulled. */
class ManualSource<T> implements AsyncIterable<T> {
  pulled = 0;
  private queue: T[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(...items: T[]): void {
    this.queue.push(...items);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        this.pulled++;
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

const deferred = <T>() => {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("answerInOrder", () => {
  it("answers in request order even when later answers finish first", async () => {
    const source = new ManualSource<number>();
    const answers = new Map<number, ReturnType<typeof deferred<string>>>();
    const out = answerInOrder(source, (n) => {
      const d = deferred<string>();
      answers.set(n, d);
      return d.promise;
    }, 4);
    source.push(1, 2, 3);
    source.end();
    const collected: string[] = [];
    const done = (async () => {
      for await (const a of out) collected.push(a);
    })();
    await tick();
    answers.get(3)?.resolve("three");
    answers.get(2)?.resolve("two");
    await tick();
    expect(collected).toEqual([]);
    answers.get(1)?.resolve("one");
    await done;
    expect(collected).toEqual(["one", "two", "three"]);
  });

  it("answers a lookup while the caller waits before sending the next one", async () => {
    const source = new ManualSource<number>();
    const out = answerInOrder(source, async (n) => n * 10, 4);
    source.push(1);
    const first = await out.next();
    expect(first.value).toBe(10);
    source.push(2);
    source.end();
    expect((await out.next()).value).toBe(20);
    expect((await out.next()).done).toBe(true);
  });

  it("stops reading requests while the window is full", async () => {
    const source = new ManualSource<number>();
    const never = deferred<number>();
    const out = answerInOrder(source, () => never.promise, 2);
    source.push(1, 2, 3, 4, 5);
    const pending = out.next();
    await tick();
    expect(source.pulled).toBe(2);
    never.resolve(0);
    await pending;
    await tick();
    expect(source.pulled).toBeLessThanOrEqual(4);
    source.end();
  });

  it("ends with the error of a failed answer, in its turn", async () => {
    const source = new ManualSource<number>();
    const out = answerInOrder(source, async (n) => {
      if (n === 2) throw new Error("store down");
      return n;
    }, 4);
    source.push(1, 2, 3);
    source.end();
    expect((await out.next()).value).toBe(1);
    await expect(out.next()).rejects.toThrow("store down");
  });
});
