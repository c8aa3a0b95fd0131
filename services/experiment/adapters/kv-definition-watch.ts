import type { KV, KvEntry } from "@nats-io/kv";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { ServiceMetrics } from "../../kit/telemetry/metrics.js";
import { validateDefinition } from "../domain/definition-validation.js";
import type { ExperimentDefinition, StoredDefinition } from "../domain/experiment-definition.js";
import type { ExperimentRegistry } from "../domain/experiment-registry.js";
import { decodeDefinition } from "./proto-mapping.js";

/**
 * Feeds the registry from the KV bucket: the latest value of every key, then
 * every change as it is stored, on every replica. An entry that does not
 * decode or validate (written past PutExperiment) is logged and skipped, so the
 * definition in force for that key stays the last valid one; a replica that
 * starts after such an entry finds that one in the key's history, so every
 * replica serves the same definitions. A watch that ends is resumed after the
 * last applied revision.
 */
export class KvDefinitionWatch {
  private stopping = false;
  private stopCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly rejected;

  constructor(
    private readonly kv: KV,
    private readonly registry: ExperimentRegistry,
    private readonly logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.rejected = metrics.counter("recmesh_experiment_definitions_rejected_total", "KV entries ignored because they were not valid definitions.");
  }

  /** Starts watching and resolves once the bucket's current contents are applied. */
  async start(timeoutMs: number): Promise<void> {
    const state = (await this.kv.status()).streamInfo.state;
    this.loop = this.run();
    if (state.messages === 0) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      await this.registry.waitForRevision(state.last_seq, controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopCurrent?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const resumeFrom = this.registry.revision;
        const entries = await this.kv.watch(resumeFrom > 0 ? { resumeFromRevision: resumeFrom + 1 } : {});
        this.stopCurrent = () => entries.stop();
        if (this.stopping) entries.stop();
        for await (const entry of entries) await this.apply(entry);
      } catch (err) {
        if (!this.stopping) this.logger.warn({ err }, "experiment KV watch failed; retrying");
      }
      if (!this.stopping) await sleep(250);
    }
  }

  private async apply(entry: KvEntry): Promise<void> {
    if (entry.revision <= this.registry.revision) return;
    if (entry.operation !== "PUT") {
      if (this.registry.get(entry.key)) this.registry.apply({ kind: "delete", name: entry.key, revision: entry.revision });
      else this.registry.advance(entry.revision);
      return;
    }
    const parsed = this.parse(entry);
    if (!(parsed instanceof Error)) {
      this.registry.apply({ kind: "put", stored: { definition: parsed, revision: entry.revision } });
      return;
    }
    this.rejected.inc();
    this.logger.error({ err: parsed, key: entry.key, revision: entry.revision }, "invalid experiment definition in KV ignored; the last valid one stays in force");
    if (!this.registry.get(entry.key)) {
      const previous = await this.lastValidBefore(entry.key, entry.revision);
      if (previous) this.registry.apply({ kind: "put", stored: previous });
    }
    this.registry.advance(entry.revision);
  }

  /** The entry's definition, or why it is not a valid one. */
  private parse(entry: KvEntry): ExperimentDefinition | Error {
    try {
      const definition = decodeDefinition(entry.value);
      if (definition.name !== entry.key) throw new Error(`key "${entry.key}" holds experiment "${definition.name}"`);
      validateDefinition(definition);
      return definition;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /** The key's last valid definition written before `revision` and not deleted since, from the bucket's history. */
  private async lastValidBefore(key: string, revision: number): Promise<StoredDefinition | undefined> {
    let found: StoredDefinition | undefined;
    for await (const e of await this.kv.history({ key })) {
      if (e.revision >= revision) continue;
      if (e.operation !== "PUT") found = undefined;
      else {
        const parsed = this.parse(e);
        if (!(parsed instanceof Error)) found = { definition: parsed, revision: e.revision };
      }
    }
    return found;
  }
}
