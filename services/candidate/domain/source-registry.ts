import type { CandidateSource } from "./candidate-source.js";

/** A source with the operating settings the composition root gives it. */
export interface SourceRegistration {
  source: CandidateSource;
  /** Time the source may take before it is cut off and reported TIMED_OUT. */
  budgetMs: number;
  /** Default maximum share of k (percent) it may fill while other sources still have candidates. */
  quotaPercent: number;
}

/**
 * The configured sources, by id. Adding a source means adding one
 * registration to the list the composition root builds; nothing else changes.
 */
export class SourceRegistry {
  private readonly byId = new Map<string, SourceRegistration>();

  constructor(registrations: readonly SourceRegistration[]) {
    for (const r of registrations) {
      if (this.byId.has(r.source.id)) throw new Error(`two candidate sources are named ${r.source.id}`);
      this.byId.set(r.source.id, r);
    }
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string): SourceRegistration | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }
}
