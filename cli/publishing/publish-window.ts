import { setTimeout as sleep } from "node:timers/promises";
import type { EventPublisher } from "../../services/kit/events/event-publisher.js";
import type { ProtoCodec } from "../../services/kit/events/proto-codec.js";

export interface PublishTally {
  /** New messages the stream stored. */
  stored: number;
  /** Messages the stream already held (same Nats-Msg-Id within its duplicate window). */
  duplicates: number;
}

export interface PublishWindowOptions {
  /** Publishes awaiting their ack at most (default 1024). */
  limit?: number;
  /** Attempts per message before the run fails; a retry reuses the msg id, so the stream stores it once. */
  attempts?: number;
  /** Called once per acked message. */
  onAck?: () => void;
}

/**
 * Publishes many events to JetStream with a bounded number of acks pending:
 * throughput of pipelined publishes, memory and server load of a fixed window.
 * The first publish that fails all its attempts fails the run.
 */
export class PublishWindow {
  private inFlight = 0;
  private readonly slotFreed: (() => void)[] = [];
  private failure: Error | undefined;
  private readonly limit: number;
  private readonly attempts: number;
  readonly tally: PublishTally = { stored: 0, duplicates: 0 };

  constructor(
    private readonly publisher: EventPublisher,
    private readonly stream: string,
    private readonly options: PublishWindowOptions = {},
  ) {
    this.limit = options.limit ?? 1024;
    this.attempts = options.attempts ?? 4;
  }

  /** Publishes awaiting their ack. */
  get pending(): number {
    return this.inFlight;
  }

  /** True while another publish fits in the window. */
  get hasRoom(): boolean {
    return this.inFlight < this.limit;
  }

  /**
   * Resolves once the window is half empty; throws the first failure. Refilling
   * in bursts lets the sends of a burst share socket writes.
   */
  async waitForRoom(): Promise<void> {
    while (this.inFlight > this.limit / 2 && !this.failure) await new Promise<void>((resolve) => this.slotFreed.push(resolve));
    if (this.failure) throw this.failure;
  }

  /**
   * Sends at once, without waiting for room: callers check hasRoom first. Kept
   * synchronous so consecutive sends share one socket write.
   */
  send<T>(subject: string, codec: ProtoCodec<T>, message: T, msgId: string): void {
    if (this.failure) throw this.failure;
    this.inFlight++;
    void this.deliver(subject, codec, message, msgId).finally(() => {
      this.inFlight--;
      this.slotFreed.shift()?.();
    });
  }

  /** Waits for every pending ack; throws the first failure. */
  async flush(): Promise<PublishTally> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.slotFreed.push(resolve));
    if (this.failure) throw this.failure;
    return { ...this.tally };
  }

  private async deliver<T>(subject: string, codec: ProtoCodec<T>, message: T, msgId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const published = await this.publisher.publish(subject, codec, message, { msgId, stream: this.stream, timeoutMs: 10_000 });
        if (published.duplicate) this.tally.duplicates++;
        else this.tally.stored++;
        this.options.onAck?.();
        return;
      } catch (err) {
        if (this.failure) return;
        if (attempt >= this.attempts) {
          this.failure = new Error(`publishing ${msgId} to ${subject} failed after ${attempt} attempts: ${err instanceof Error ? err.message : String(err)}`);
          for (const wake of this.slotFreed.splice(0)) wake();
          return;
        }
        await sleep(250 * attempt);
      }
    }
  }
}
