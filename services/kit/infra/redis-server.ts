import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { ManagedProcess } from "./managed-process.js";

export interface LocalRedis {
  url: string;
  port: number;
  process: ManagedProcess;
  /** Starts it again on the same port (after stop or kill). */
  restart(): Promise<void>;
}

export interface RedisOptions {
  port?: number;
  /** Keep data across restarts in an append-only file (the local stack); tests run in memory. */
  persist?: boolean;
  /** More command-line options, e.g. --requirepass or TLS ports and files. */
  extraArgs?: string[];
}

/** redis-server on 127.0.0.1 with its working directory under `dataDir`. */
export async function startRedisServer(binary: string, dataDir: string, options: RedisOptions = {}): Promise<LocalRedis> {
  const p = options.port || (await freePort());
  const dir = join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const args = ["--port", String(p), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--protected-mode", "no"];
  args.push("--appendonly", options.persist ? "yes" : "no", ...(options.extraArgs ?? []));
  const launch = async () => {
    const proc = new ManagedProcess("redis-server", binary, args, join(dataDir, "redis-server.log"));
    await proc.waitFor(/Ready to accept connections/, 20_000);
    return proc;
  };
  const server: LocalRedis = {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    process: await launch(),
    restart: async () => {
      await server.process.stop();
      server.process = await launch();
    },
  };
  return server;
}
