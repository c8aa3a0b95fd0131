import { setTimeout as sleep } from "node:timers/promises";
import type { JetStreamManager } from "@nats-io/jetstream";

/** Events that durable consumers of `stream` have not applied yet (pending + unacknowledged), by consumer. */
export async function consumerLag(jsm: JetStreamManager, stream: string, durables?: readonly string[]): Promise<Map<string, number>> {
  const lag = new Map<string, number>();
  for await (const c of jsm.consumers.list(stream)) {
    if (!c.config.durable_name || (durables && !durables.includes(c.name))) continue;
    lag.set(c.name, c.num_pending + c.num_ack_pending);
  }
  return lag;
}

/**
 * Waits until every durable consumer of `stream` (or the named ones) has applied
 * everything stored so far: the projections have caught up with the log.
 */
export async function waitForConsumers(
  jsm: JetStreamManager,
  stream: string,
  options: { timeoutMs: number; durables?: readonly string[]; onProgress?: (left: number) => void },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const lag = await consumerLag(jsm, stream, options.durables);
    const left = [...lag.values()].reduce((a, b) => a + b, 0);
    if (left === 0 && (!options.durables || options.durables.every((d) => lag.has(d)))) return;
    options.onProgress?.(left);
    if (Date.now() > deadline) throw new Error(`consumers of ${stream} still have ${left} events to apply after ${options.timeoutMs} ms`);
    await sleep(100);
  }
}
