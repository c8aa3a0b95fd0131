import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { pino, type Logger } from "pino";
import { loadCandidateConfig } from "../../services/candidate/config.js";
import { startCandidateService } from "../../services/candidate/main.js";
import { loadExperimentConfig } from "../../services/experiment/config.js";
import { startExperimentService } from "../../services/experiment/main.js";
import { loadFeatureConfig } from "../../services/feature/config.js";
import { startFeatureService } from "../../services/feature/main.js";
import { waitForConsumers } from "../../services/kit/events/consumer-lag.js";
import { EVENTS_STREAM } from "../../services/kit/events/subjects.js";
import { freePort, startRetryingTakenPorts } from "../../services/kit/infra/free-port.js";
import { startInfrastructure, type Infrastructure } from "../../services/kit/infra/infrastructure.js";
import { loadRankingConfig } from "../../services/ranking/config.js";
import { startRankingService } from "../../services/ranking/main.js";
import { loadRecommenderConfig } from "../../services/recommender/config.js";
import { startRecommenderService } from "../../services/recommender/main.js";

export type StackService = "experiment" | "feature" | "candidate" | "ranking" | "recommender";

/** Start order: dependencies before their callers. */
export const STACK_ORDER: readonly StackService[] = ["experiment", "feature", "candidate", "ranking", "recommender"];

export interface InProcessStackOptions {
  /** Which services to run (default: all five). */
  services?: readonly StackService[];
  logger?: Logger;
  /** Extra environment per service (overrides the defaults). */
  env?: Partial<Record<StackService, Record<string, string>>>;
  /** Read-time clock of the feature service (offline evaluation and training pin it). */
  featureClock?: () => number;
}

interface Running {
  stop(): Promise<void>;
}

/**
 * Real nats-server and redis-server plus any of the five services in this
 * process, each on fixed free loopback ports so a stopped service comes back
 * where its callers expect it. Used by the end-to-end tests, offline evaluation
 * and training-data export.
 */
export class InProcessStack {
  readonly addresses = {} as Record<StackService, string>;
  readonly adminPorts = {} as Record<StackService, number>;
  readonly dataDir = mkdtempSync(join(tmpdir(), "recmesh-stack-"));
  infra!: Infrastructure;
  private readonly grpcPorts = {} as Record<StackService, number>;
  private readonly running = new Map<StackService, Running>();
  private readonly logger: Logger;

  constructor(private readonly options: InProcessStackOptions = {}) {
    this.logger = options.logger ?? pino({ level: "warn" });
  }

  get services(): readonly StackService[] {
    return this.options.services ?? STACK_ORDER;
  }

  /** Starts the infrastructure (and allocates every port); services come with startServices. */
  async startInfrastructure(): Promise<void> {
    this.infra = await startInfrastructure({ dataDir: join(this.dataDir, "infra") });
    for (const name of STACK_ORDER) await this.allocatePorts(name);
  }

  private async allocatePorts(name: StackService): Promise<void> {
    this.grpcPorts[name] = await freePort();
    this.adminPorts[name] = await freePort();
    this.addresses[name] = `127.0.0.1:${this.grpcPorts[name]}`;
  }

  async startServices(): Promise<void> {
    for (const name of STACK_ORDER) if (this.services.includes(name)) await this.startFirstTime(name);
  }

  /**
   * Another process on the machine may take a free port before the service
   * listens on it. Callers start after their dependencies, so nothing has been
   * given this service's address yet: pick new ports and try again.
   */
  private startFirstTime(name: StackService): Promise<void> {
    return startRetryingTakenPorts(
      () => this.startService(name),
      () => this.allocatePorts(name),
    );
  }

  env(name: StackService): Record<string, string> {
    const upper = name.toUpperCase();
    return {
      NATS_URL: this.infra.natsUrl,
      REDIS_URL: this.infra.redisUrl,
      [`RECMESH_${upper}_PORT`]: String(this.grpcPorts[name]),
      [`RECMESH_${upper}_ADMIN_PORT`]: String(this.adminPorts[name]),
      RECMESH_EXPERIMENT_ADDR: this.addresses.experiment,
      RECMESH_FEATURE_ADDR: this.addresses.feature,
      RECMESH_CANDIDATE_ADDR: this.addresses.candidate,
      RECMESH_RANKING_ADDR: this.addresses.ranking,
      RECMESH_CANDIDATE_SNAPSHOT_DIR: join(this.dataDir, "candidate"),
      ...this.options.env?.[name],
    };
  }

  async startService(name: StackService): Promise<void> {
    const env = this.env(name);
    const options = { logger: this.logger.child({ service: name }) };
    const started: Running =
      name === "experiment"
        ? await startExperimentService(loadExperimentConfig(env), options)
        : name === "feature"
          ? await startFeatureService(loadFeatureConfig(env), { ...options, clock: this.options.featureClock })
          : name === "candidate"
            ? await startCandidateService(loadCandidateConfig(env), options)
            : name === "ranking"
              ? await startRankingService(loadRankingConfig(env), options)
              : await startRecommenderService(loadRecommenderConfig(env), options);
    this.running.set(name, started);
  }

  async stopService(name: StackService): Promise<void> {
    await this.running.get(name)?.stop();
    this.running.delete(name);
  }

  /** Waits until every durable consumer of EVENTS has applied everything published so far. */
  async waitForProjections(timeoutMs = 15 * 60_000, onProgress?: (left: number) => void): Promise<void> {
    const nc = await connect({ servers: this.infra.natsUrl });
    try {
      await waitForConsumers(await jetstreamManager(nc), EVENTS_STREAM, { timeoutMs, onProgress });
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    for (const name of [...STACK_ORDER].reverse()) await this.stopService(name);
    await this.infra?.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
