import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInfrastructure, type Infrastructure } from "../infra/infrastructure.js";

export interface TestInfrastructureOptions {
  /** Keep Redis data across redis.process.stop()/restart() (append-only file), for outage tests. */
  persistRedis?: boolean;
  /** More nats-server / redis-server options (TLS, authentication). */
  natsArgs?: string[];
  redisArgs?: string[];
}

/** Real nats-server and redis-server for one test file, on free loopback ports, in a fresh temp dir. */
export async function startTestInfrastructure(options: TestInfrastructureOptions = {}): Promise<Infrastructure & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-test-"));
  const infra = await startInfrastructure({ dataDir, persistRedis: options.persistRedis, natsArgs: options.natsArgs, redisArgs: options.redisArgs });
  return {
    ...infra,
    dataDir,
    stop: async () => {
      await infra.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
