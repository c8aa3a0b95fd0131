import { ResourceExhaustedError } from "../../kit/errors/errors.js";

/**
 * A bounded FIFO between one producer and one async consumer. A consumer
 * that falls more than `limit` items behind is cut off (RESOURCE_EXHAUSTED)
 * instead of growing memory: it reconnects and takes a fresh snapshot.
 * close() ends it; next() then resolves undefined.
 */
export class ChangeQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  private overflowed = false;

  constructor(private readonly limit: number) {}

  push(item: T): void {
    if (this.closed || this.overflowed) return;
    if (this.items.length >= this.limit) this.overflowed = true;
    else this.items.push(item);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The next item; undefined once closed or aborted. */
  async next(signal: AbortSignal): Promise<T | undefined> {
    for (;;) {
      if (this.overflowed) throw new ResourceExhaustedError(`watcher fell more than ${this.limit} changes behind; watch again`);
      const item = this.items.shift();
      if (item !== undefined) return item;
      if (this.closed || signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener("abort", onAbort, { once: true });
        this.waiter = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  private wake(): void {
    this.waiter?.();
  }
}
