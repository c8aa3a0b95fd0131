import { join } from "node:path";
import type { Logger } from "pino";
import { InProcessStack, type StackService } from "../../cli/local/in-process-stack.js";
import { seedWorld, type SeedReport } from "../../cli/seed/seed-world.js";
import { GENEROUS_BUDGETS } from "../../services/kit/testing/generous-budgets.js";
import { testLogger } from "../../services/kit/testing/test-logger.js";
import { resolveWorldOptions } from "../../world/index.js";

export type ServiceName = StackService;

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
