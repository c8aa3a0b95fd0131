import { setTimeout as sleep } from "node:timers/promises";

export interface RetryingQueueOptions {
  /** Items held at most; beyond it new items are refused (and counted by the caller). */
  capacity: number;
  /** Publishes in flight at once. */
  concurrency: number;
  initialRetryMs: number;
  maxRetryMs: number;
}

/**
 * Publishes items off the request path and keeps them through an outage: a
 * failed item goes back to the front of the queue and the pump backs off
 * exponentially until publishing works again. Nothing is dropped unless the
 * queue is full, which `enqueue` reports.
 */
export class RetryingQueue<T> {
  private readonly items: T[] = [];
  private inFlight = 0;
  private backoffMs = 0;
  private pausedUntil = 0;
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publish: (item: T) => Promise<void>,
    private readonly options: RetryingQueueOptions,
    private readonly onFailure: (err: unknown, backoffMs: number) => void = () => undefined,
  ) {}

  get pending(): number {
    return this.items.length + this.inFlight;
  }

  /** Queues an item; false when the queue is full. */
  enqueue(item: T): boolean {
    if (this.items.length >= this.options.capacity) return false;
    this.items.push(item);
    this.pump();
    return true;
  }

  /** Waits until everything queued was published, or the timeout passed; resolves the number left. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < deadline) {
      this.pump();
      await sleep(20);
    }
    return this.pending;
  }

  private pump(): void {
    const now = Date.now();
    if (now < this.pausedUntil) {
      this.wakeTimer ??= setTimeout(() => {
        this.wakeTimer = undefined;
        this.pump();
      }, this.pausedUntil - now).unref();
      return;
    }
    while (this.inFlight < this.options.concurrency && this.items.length > 0) {
      const item = this.items.shift() as T;
      this.inFlight++;
      this.publish(item).then(
        () => {
          this.inFlight--;
          this.backoffMs = 0;
          this.pump();
        },
        (err: unknown) => {
          this.inFlight--;
          this.items.unshift(item);
          this.backoffMs = Math.min(this.options.maxRetryMs, Math.max(this.options.initialRetryMs, this.backoffMs * 2));
          this.pausedUntil = Date.now() + this.backoffMs;
          this.onFailure(err, this.backoffMs);
          this.pump();
        },
      );
    }
  }
}
