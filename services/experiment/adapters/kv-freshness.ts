import type { KV } from "@nats-io/kv";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { ServiceMetrics } from "../../kit/telemetry/metrics.js";
import type { ExperimentRegistry } from "../domain/experiment-registry.js";

export interface FreshnessSettings {
  /** How often the bucket is asked for its latest revision. */
  checkIntervalMs: number;
  /** Definitions are stale when the bucket has not answered, or the watch has lagged behind it, for this long. */
  staleAfterMs: number;
}

/**
 * Tells whether the definitions in memory may be out of date: a background
 * loop asks the KV bucket for its latest revision; the definitions are stale
 * when no answer came within staleAfterMs (NATS or JetStream down) or when the
 * watch has stayed behind that revision for as long. Reading the flag is
 * arithmetic on two timestamps, cheap enough for every Assign.
 */
export class KvFreshness {
  private lastAnswerMs: number;
  private behindSinceMs: number | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly staleGauge;

  constructor(
    private readonly kv: KV,
    private readonly registry: ExperimentRegistry,
    private readonly settings: FreshnessSettings,
    private readonly logger: Logger,
    metrics: ServiceMetrics,
    private readonly clock: () => number = Date.now,
  ) {
    this.lastAnswerMs = clock();
    this.staleGauge = metrics.gauge("recmesh_experiment_definitions_stale", "1 while the experiment definitions could not be refreshed from the KV bucket.");
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  isStale(nowMs: number = this.clock()): boolean {
    const { staleAfterMs } = this.settings;
    return nowMs - this.lastAnswerMs > staleAfterMs || (this.behindSinceMs !== undefined && nowMs - this.behindSinceMs > staleAfterMs);
  }

  private async run(): Promise<void> {
    let wasStale = false;
    while (!this.stopping) {
      await this.check();
      const stale = this.isStale();
      if (stale !== wasStale) {
        this.staleGauge.set(stale ? 1 : 0);
        if (stale) this.logger.warn("experiment definitions are stale: the KV bucket cannot be read; serving the last known ones");
        else this.logger.info("experiment definitions are fresh again");
        wasStale = stale;
      }
      await sleep(this.settings.checkIntervalMs);
    }
  }

  private async check(): Promise<void> {
    try {
      const latest = (await this.kv.status()).streamInfo.state.last_seq;
      const now = this.clock();
      this.lastAnswerMs = now;
      if (this.registry.revision >= latest) this.behindSinceMs = undefined;
      else this.behindSinceMs ??= now;
    } catch (err) {
      this.logger.debug({ err }, "experiment KV status check failed");
    }
  }
}
