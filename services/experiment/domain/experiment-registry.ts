import { DeadlineExceededError } from "../../kit/errors/errors.js";
import { ExperimentSet } from "./assigner.js";
import { ChangeQueue } from "./change-queue.js";
import type { StoredDefinition } from "./experiment-definition.js";

/** One applied change of the definitions. */
export type DefinitionChange =
  | { kind: "put"; stored: StoredDefinition }
  | { kind: "delete"; name: string; revision: number };

/** A live view: the definitions at subscription time, then every later change. */
export interface Subscription {
  snapshot: StoredDefinition[];
  /** The registry revision the snapshot reflects. */
  revision: number;
  next(signal: AbortSignal): Promise<DefinitionChange | undefined>;
  close(): void;
}

/**
 * The in-memory definitions of this replica, fed by the KV watch. Every change
 * rebuilds the compiled ExperimentSet and swaps it in one assignment, so the
 * request path always reads one consistent snapshot.
 */
export class ExperimentRegistry {
  private readonly definitions = new Map<string, StoredDefinition>();
  private compiled = new ExperimentSet([]);
  private appliedRevision = 0;
  private readonly subscribers = new Set<ChangeQueue<DefinitionChange>>();
  private revisionWaiters: { revision: number; resolve: () => void }[] = [];
  private closing = false;

  constructor(private readonly subscriberQueueLimit = 10_000) {}

  get set(): ExperimentSet {
    return this.compiled;
  }

  /** Highest KV revision applied (or skipped as invalid). */
  get revision(): number {
    return this.appliedRevision;
  }

  get(name: string): StoredDefinition | undefined {
    return this.definitions.get(name);
  }

  /** Every definition, ordered by name. */
  list(): StoredDefinition[] {
    return [...this.definitions.values()].sort((a, b) => (a.definition.name < b.definition.name ? -1 : 1));
  }

  apply(change: DefinitionChange): void {
    if (change.kind === "put") this.definitions.set(change.stored.definition.name, change.stored);
    else this.definitions.delete(change.name);
    this.compiled = new ExperimentSet([...this.definitions.values()].map((s) => s.definition).filter((d) => d.status === "running"));
    for (const q of this.subscribers) q.push(change);
    this.advance(change.kind === "put" ? change.stored.revision : change.revision);
  }

  /** Records that a revision was seen without changing anything (an invalid entry that was ignored). */
  advance(revision: number): void {
    if (revision <= this.appliedRevision) return;
    this.appliedRevision = revision;
    const ready = this.revisionWaiters.filter((w) => w.revision <= revision);
    this.revisionWaiters = this.revisionWaiters.filter((w) => w.revision > revision);
    for (const w of ready) w.resolve();
  }

  /** Resolves once `revision` has been applied here (read-your-writes after a put). */
  waitForRevision(revision: number, signal: AbortSignal): Promise<void> {
    if (this.appliedRevision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { revision, resolve: () => resolve() };
      this.revisionWaiters.push(waiter);
      signal.addEventListener(
        "abort",
        () => {
          this.revisionWaiters = this.revisionWaiters.filter((w) => w !== waiter);
          reject(new DeadlineExceededError(`revision ${revision} was written but not yet applied here`));
        },
        { once: true },
      );
    });
  }

  /** Snapshot and subscription in one step, so no change falls between them. */
  subscribe(): Subscription {
    const queue = new ChangeQueue<DefinitionChange>(this.subscriberQueueLimit);
    if (this.closing) queue.close();
    else this.subscribers.add(queue);
    return {
      snapshot: this.list(),
      revision: this.appliedRevision,
      next: (signal) => queue.next(signal),
      close: () => {
        queue.close();
        this.subscribers.delete(queue);
      },
    };
  }

  /** Ends every subscription (and any new one) so streaming calls finish before the server drains. */
  closeSubscriptions(): void {
    this.closing = true;
    for (const q of this.subscribers) q.close();
    this.subscribers.clear();
  }
}
