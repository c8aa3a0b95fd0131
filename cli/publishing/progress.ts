import { MultiBar, Presets } from "cli-progress";

export interface ProgressBar {
  increment(count?: number): void;
}

/**
 * Progress bars on a terminal (stderr), silent elsewhere; notes (e.g. bad-row
 * errors) are printed above the bars on a terminal and as plain lines otherwise.
 */
export class Progress {
  private readonly multi: MultiBar | undefined;

  constructor(
    enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.multi = enabled && stream.isTTY
      ? new MultiBar(
          { stream, clearOnComplete: false, hideCursor: true, format: "{label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}" },
          Presets.shades_classic,
        )
      : undefined;
  }

  bar(label: string, total: number): ProgressBar {
    if (!this.multi) return { increment: () => undefined };
    const started = Date.now();
    let done = 0;
    const bar = this.multi.create(total, 0, { label: label.padEnd(12), rate: 0 });
    return {
      increment: (count = 1) => {
        done += count;
        bar.increment(count, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
      },
    };
  }

  note(line: string): void {
    if (this.multi) this.multi.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  /** Prints notes still buffered (the bars log only on their next redraw), then the final bars. */
  stop(): void {
    this.multi?.update();
    this.multi?.stop();
  }
}
