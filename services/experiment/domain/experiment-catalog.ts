import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../../kit/errors/errors.js";
import { validateDefinition } from "./definition-validation.js";
import type { ExperimentDefinition, ExperimentStatus, StoredDefinition } from "./experiment-definition.js";
import type { ExperimentRegistry } from "./experiment-registry.js";
import { findLayerConflict } from "./layer-conflicts.js";

/** Where definitions are persisted (the KV bucket). Revisions are the store's; 0 as expected revision means unconditional. */
export interface DefinitionStore {
  /** Resolves with the new revision; FailedPreconditionError when `expectedRevision` is stale. */
  write(definition: ExperimentDefinition, expectedRevision: number): Promise<number>;
  /** Deletes the definition written at `expectedRevision`; resolves with the revision of the deletion. */
  remove(name: string, expectedRevision: number): Promise<number>;
}

/** The audit trail of definition changes (ExperimentChangedEvent). */
export interface ChangeLog {
  recordPut(definition: ExperimentDefinition, revision: number): Promise<void>;
  recordDelete(definition: ExperimentDefinition, revision: number): Promise<void>;
}

export interface Page {
  items: StoredDefinition[];
  /** The last name of this page when more follow; "" on the last page. */
  nextPageToken: string;
}

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

/**
 * Create, read, list and delete definitions. A write is validated in full
 * before it reaches the store, so an invalid definition never replaces the
 * running one; it resolves once this replica applies it (read-your-writes).
 */
export class ExperimentCatalog {
  constructor(
    private readonly registry: ExperimentRegistry,
    private readonly store: DefinitionStore,
    private readonly changes: ChangeLog,
  ) {}

  async put(definition: ExperimentDefinition, expectedRevision: number, signal: AbortSignal): Promise<StoredDefinition> {
    validateDefinition(definition);
    const conflict = findLayerConflict(
      definition,
      this.registry.list().map((s) => s.definition),
    );
    if (conflict) {
      throw new FailedPreconditionError(
        `experiment.layer_range: overlaps experiment "${conflict.name}" in layer "${definition.layer}"; give each experiment of a layer its own range`,
      );
    }
    const revision = await this.store.write(definition, expectedRevision);
    await this.changes.recordPut(definition, revision);
    await this.registry.waitForRevision(revision, signal);
    return { definition, revision };
  }

  get(name: string): StoredDefinition {
    if (name === "") throw new InvalidArgumentError("name", "is required");
    const stored = this.registry.get(name);
    if (!stored) throw new NotFoundError(`experiment "${name}" does not exist`);
    return stored;
  }

  list(status: ExperimentStatus, pageSize: number, pageToken: string): Page {
    if (pageSize > MAX_PAGE_SIZE) throw new InvalidArgumentError("page_size", `must be at most ${MAX_PAGE_SIZE}, got ${pageSize}`);
    const size = pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize;
    const matching = this.registry
      .list()
      .filter((s) => (status === "unspecified" || s.definition.status === status) && s.definition.name > pageToken);
    const items = matching.slice(0, size);
    const last = items[items.length - 1];
    return { items, nextPageToken: matching.length > size && last ? last.definition.name : "" };
  }

  async delete(name: string, signal: AbortSignal): Promise<number> {
    const stored = this.get(name);
    const revision = await this.store.remove(name, stored.revision);
    await this.changes.recordDelete(stored.definition, revision);
    await this.registry.waitForRevision(revision, signal);
    return revision;
  }
}
