/**
 * Runs tasks one at a time in call order. The indexer applies events and the
 * snapshotter saves the index through one gate, so a snapshot never sees half
 * an event and hnswlib is never written to while it writes the index file.
 */
export class SerialGate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
