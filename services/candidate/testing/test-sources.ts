import { setTimeout as sleep } from "node:timers/promises";
import { SourceSkippedError, type CandidateSource } from "../domain/candidate-source.js";
import type { SourceItem } from "../domain/candidate-types.js";

/**
 * A source for tests that answers a fixed list after `delayMs`, or skips or
 * fails; it honours the abort signal like a real source doing I/O.
 */
export class FixedCandidateSource implements CandidateSource {
  constructor(
    readonly id: string,
    private readonly itemIds: string[],
    private readonly behaviour: { delayMs?: number; skip?: string; fail?: Error; failsOpen?: boolean; personalised?: boolean } = {},
  ) {}

  get failsOpen(): boolean {
    return this.behaviour.failsOpen ?? true;
  }

  get personalised(): boolean {
    return this.behaviour.personalised ?? false;
  }

  async fetch(_user: unknown, _context: unknown, k: number, signal: AbortSignal): Promise<SourceItem[]> {
    if (this.behaviour.delayMs) await sleep(this.behaviour.delayMs, undefined, { signal });
    if (this.behaviour.skip) throw new SourceSkippedError(this.behaviour.skip);
    if (this.behaviour.fail) throw this.behaviour.fail;
    return this.itemIds.slice(0, k).map((itemId, i) => ({ itemId, score: 1 / (i + 1) }));
  }
}
