import { join } from "node:path";
import type { Logger } from "pino";
import { InProcessStack, type StackService } from "../../cli/local/in-process-stack.js";
import { seedWorld, type SeedReport } from "../../cli/seed/seed-world.js";
import { testLogger } from "../../services/kit/testing/test-logger.js";
import { resolveWorldOptions } from "../../world/index.js";

export type ServiceName = StackService;

/** Correctness tests on a shared 2-core machine: generous budgets, so only an outage degrades. */
const GENEROUS_BUDGETS: Record<string, string> = {
  RECMESH_BREAKER_RESET_MS: "500",
  RECMESH_BREAKER_VOLUME_THRESHOLD: "3",
  RECMESH_RECOMMENDER_EXPERIMENT_TIMEOUT_MS: "2000",
  RECMESH_RECOMMENDER_FEATURES_TIMEOUT_MS: "2000",
  RECMESH_RECOMMENDER_CANDIDATES_TIMEOUT_MS: "3000",
  RECMESH_RECOMMENDER_RANKING_TIMEOUT_MS: "3000",
  RECMESH_RECOMMENDER_TARGET_LATENCY_MS: "5000",
  RECMESH_CANDIDATE_ANN_BUDGET_MS: "1000",
  RECMESH_CANDIDATE_POPULARITY_BUDGET_MS: "1000",
  RECMESH_CANDIDATE_COVISITATION_BUDGET_MS: "1000",
  RECMESH_CANDIDATE_FEATURE_TIMEOUT_MS: "1000",
  RECMESH_RANKING_HYDRATION_TIMEOUT_MS: "2000",
};

/** The whole stack in this process with a small seeded world, projected by every consumer before the tests start. */
export class TestStack extends InProcessStack {
  world!: SeedReport;

  constructor(logger: Logger = testLogger(), extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}) {
    const env: Partial<Record<ServiceName, Record<string, string>>> = {};
    for (const name of ["experiment", "feature", "candidate", "ranking", "recommender"] as const) {
      env[name] = { ...GENEROUS_BUDGETS, ...extraEnv[name] };
    }
    super({ logger, env });
  }

  async start(): Promise<void> {
    await this.startInfrastructure();
    this.world = await seedWorld({
      nats: this.infra.natsUrl,
      streams: { replicas: 1, eventRetentionDays: 3650 },
      world: resolveWorldOptions({ preset: "small", seed: 7, endTime: Math.floor(Date.now() / 3_600_000) * 3_600_000 }),
      dir: join(this.dataDir, "world"),
    });
    await this.startServices();
    await this.waitForProjections(120_000);
  }
}
