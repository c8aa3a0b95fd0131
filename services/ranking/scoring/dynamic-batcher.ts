import { ScratchArrays } from "./scratch-arrays.js";

/** Runs one inference over `rows` rows packed in `input`; resolves one score per row. */
export type BatchRunner = (input: Float32Array, rows: number) => Promise<Float32Array>;

export interface BatcherOptions {
  /** Row width of every submitted input. */
  width: number;
  /** Most rows coalesced into one run; 0 disables batching (every call runs on its own). */
  maxBatchRows: number;
  /** How long the first queued call waits for others before its batch runs (µs; 0 = until the current tick's I/O is done). */
  maxWaitMicros: number;
}

export interface BatchStats {
  rows: number;
  calls: number;
}

interface Pending {
  input: Float32Array;
  rows: number;
  resolve: (scores: Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces concurrent scoring calls into one inference run, as Triton's dynamic
 * batcher does: the first call opens a short wait window, calls arriving in it
 * (or while a run is in progress) join the next batch up to maxBatchRows, and
 * the output is split back per call. One run at a time per model keeps the
 * inference threads busy with large batches instead of contending. A batch of
 * several calls is packed into a reused buffer.
 */
export class DynamicBatcher {
  private readonly scratch = new ScratchArrays();
  private queue: Pending[] = [];
  private queuedRows = 0;
  private running = false;
  private waiting = false;

  constructor(
    private readonly run: BatchRunner,
    private readonly options: BatcherOptions,
    private readonly onBatch: (stats: BatchStats) => void = () => undefined,
  ) {}

  submit(input: Float32Array, rows: number): Promise<Float32Array> {
    if (this.options.maxBatchRows <= 0) {
      this.onBatch({ rows, calls: 1 });
      return this.run(input, rows);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ input, rows, resolve, reject });
      this.queuedRows += rows;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.waiting || this.queue.length === 0) return;
    if (this.queuedRows >= this.options.maxBatchRows) {
      void this.flush();
      return;
    }
    this.waiting = true;
    const opened = process.hrtime.bigint();
    const wait = BigInt(Math.max(0, this.options.maxWaitMicros)) * 1000n;
    const tick = () => {
      if (this.queuedRows < this.options.maxBatchRows && process.hrtime.bigint() - opened < wait) {
        setImmediate(tick);
        return;
      }
      this.waiting = false;
      void this.flush();
    };
    setImmediate(tick);
  }

  private async flush(): Promise<void> {
    const batch = this.take();
    if (batch.length === 0) return;
    this.running = true;
    const rows = batch.reduce((n, p) => n + p.rows, 0);
    const width = this.options.width;
    let input: Float32Array;
    if (batch.length === 1) input = (batch[0] as Pending).input;
    else {
      input = this.scratch.floats(rows * width);
      let at = 0;
      for (const p of batch) {
        input.set(p.input.subarray(0, p.rows * width), at * width);
        at += p.rows;
      }
    }
    this.onBatch({ rows, calls: batch.length });
    try {
      const scores = await this.run(input, rows);
      let at = 0;
      for (const p of batch) {
        p.resolve(scores.slice(at, at + p.rows));
        at += p.rows;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.scratch.release(input);
      this.running = false;
      this.schedule();
    }
  }

  /** Takes queued calls up to maxBatchRows (at least one, even if it alone is larger). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (batch.length > 0 && rows + next.rows > this.options.maxBatchRows) break;
      batch.push(next);
      rows += next.rows;
      this.queue.shift();
    }
    this.queuedRows -= rows;
    return batch;
  }
}
