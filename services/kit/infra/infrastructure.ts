import { mkdirSync } from "node:fs";
import { ensureBinaries } from "./binaries.js";
import { startNatsServer, type LocalNats } from "./nats-server.js";
import { startRedisServer, type LocalRedis } from "./redis-server.js";

export interface InfrastructureOptions {
  dataDir: string;
  /** Use this NATS instead of starting one (NATS_URL). */
  natsUrl?: string;
  /** Use this Redis instead of starting one (REDIS_URL). */
  redisUrl?: string;
  natsPort?: number;
  redisPort?: number;
  persistRedis?: boolean;
  /** More nats-server / redis-server options (TLS, authentication) for tests. */
  natsArgs?: string[];
  redisArgs?: string[];
  log?: (line: string) => void;
}

export interface Infrastructure {
  natsUrl: string;
  redisUrl: string;
  /** Present when this launcher started the server (absent for external ones). */
  nats?: LocalNats;
  redis?: LocalRedis;
  stop(): Promise<void>;
}

/**
 * NATS (JetStream) and Redis for the local stack and the tests: external servers
 * when their URLs are given, otherwise real nats-server and redis-server started
 * as child processes on loopback ports (installed from Debian packages when
 * missing and possible).
 */
export async function startInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  mkdirSync(options.dataDir, { recursive: true });
  const needed = [...(options.natsUrl ? [] : ["nats-server"]), ...(options.redisUrl ? [] : ["redis-server"])];
  const bins = needed.length > 0 ? ensureBinaries(needed, options.log) : {};
  const natsBin = bins["nats-server"];
  const redisBin = bins["redis-server"];
  const [nats, redis] = await Promise.all([
    natsBin ? startNatsServer(natsBin, options.dataDir, options.natsPort, options.natsArgs) : undefined,
    redisBin
      ? startRedisServer(redisBin, options.dataDir, { port: options.redisPort, persist: options.persistRedis, extraArgs: options.redisArgs })
      : undefined,
  ]);
  return {
    natsUrl: options.natsUrl ?? nats?.url ?? "",
    redisUrl: options.redisUrl ?? redis?.url ?? "",
    nats,
    redis,
    stop: async () => {
      await Promise.all([nats?.process.stop(), redis?.process.stop()]);
    },
  };
}
