import type { BatchStats } from "../scoring/dynamic-batcher.js";
import type { RecentInputs } from "../scoring/recent-inputs.js";
import { assembleRows } from "../scoring/row-assembler.js";
import { planInputs, type ViewLayout } from "./feature-layout.js";
import { ContractError, type ModelContract } from "./model-contract.js";
import type { ModelTable } from "./model-table.js";
import { ServingModel, type BatchingSettings, type ExecutionProvider, type Graph } from "./serving-model.js";

export type ModelState = "loading" | "warming" | "serving" | "draining" | "rejected";

export interface ModelStatus {
  contract: ModelContract;
  state: ModelState;
  provider?: ExecutionProvider;
  fallbackReason?: string;
  rejectionReason?: string;
  loadedAt?: Date;
  isDefault: boolean;
}

/** A model version announced in the registry. */
export interface Announcement {
  contract: ModelContract;
  /** Loads the graph bytes (checksum verified by the source). */
  bytes(): Promise<Uint8Array>;
}

export interface ModelManagerDeps {
  table: ModelTable<ServingModel>;
  registry: () => ReadonlyMap<string, ViewLayout>;
  loadGraph: (bytes: Uint8Array, contract: ModelContract) => Promise<Graph>;
  recent: RecentInputs;
  batching: BatchingSettings;
  warmupRuns: number;
  defaultModel?: string;
  onBatch: (stats: BatchStats) => void;
  onRejected: (contract: ModelContract, reason: string) => void;
  onServing: (model: ServingModel) => void;
}

const WARMUP_ROWS = 64;

/**
 * Turns announcements into served models: load the graph, bind its contract to
 * the feature registry, warm it on recent real inputs (or default rows), then
 * swap it in atomically. A model that fails any step is recorded as rejected
 * with its reason and never served; the current version keeps serving.
 */
export class ModelManager {
  private readonly rejected = new Map<string, ModelStatus>();
  private readonly pending = new Map<string, ModelStatus>();

  constructor(private readonly deps: ModelManagerDeps) {}

  async apply(announcement: Announcement): Promise<boolean> {
    const { contract } = announcement;
    const key = `${contract.name}/${contract.version}`;
    if (this.deps.table.currentVersion(contract.name) === contract.version) return true;
    const status: ModelStatus = { contract, state: "loading", isDefault: false };
    this.pending.set(key, status);
    let graph: Graph | undefined;
    try {
      const plan = planInputs(contract, this.deps.registry());
      graph = await this.deps.loadGraph(await announcement.bytes(), contract);
      const model = new ServingModel(contract, plan, graph, this.deps.batching, this.deps.onBatch);
      status.state = "warming";
      await this.warm(model);
      this.deps.table.install(contract.name, contract.version, model, contract.name === this.deps.defaultModel);
      this.rejected.delete(key);
      this.deps.onServing(model);
      return true;
    } catch (err) {
      await graph?.release().catch(() => undefined);
      const reason = err instanceof ContractError ? err.message : `load failed: ${err instanceof Error ? err.message : String(err)}`;
      this.rejected.set(key, { contract, state: "rejected", rejectionReason: reason, isDefault: false });
      this.deps.onRejected(contract, reason);
      return false;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Every version known: serving, draining, loading and rejected. */
  statuses(): ModelStatus[] {
    const live = this.deps.table.entries().map(
      (e): ModelStatus => ({
        contract: e.model.contract,
        state: e.draining ? "draining" : "serving",
        provider: e.model.provider,
        fallbackReason: e.model.fallbackReason,
        loadedAt: e.model.loadedAt,
        isDefault: e.isDefault,
      }),
    );
    return [...live, ...this.pending.values(), ...this.rejected.values()];
  }

  private async warm(model: ServingModel): Promise<void> {
    const inputs = this.deps.recent.all();
    for (let run = 0; run < this.deps.warmupRuns; run++) {
      if (inputs.length === 0) {
        const rows = assembleRows(model.plan, new Map(), new Map(), WARMUP_ROWS);
        await model.scoreDirect(rows.input, WARMUP_ROWS);
      }
      for (const recent of inputs) {
        const rows = assembleRows(model.plan, recent.user, recent.items, recent.count);
        await model.scoreDirect(rows.input, recent.count);
      }
    }
  }
}
