import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { ManagedProcess } from "./managed-process.js";

export interface LocalNats {
  url: string;
  port: number;
  process: ManagedProcess;
  /** Starts it again on the same port and store (after stop or kill). */
  restart(): Promise<void>;
}

/** nats-server with JetStream and a file store under `dataDir`, on 127.0.0.1; `extraArgs` add e.g. TLS or authentication flags. */
export async function startNatsServer(binary: string, dataDir: string, port?: number, extraArgs: string[] = []): Promise<LocalNats> {
  const p = port || (await freePort());
  const storeDir = join(dataDir, "jetstream");
  mkdirSync(storeDir, { recursive: true });
  const launch = async () => {
    const proc = new ManagedProcess("nats-server", binary, ["-js", "-a", "127.0.0.1", "-p", String(p), "-sd", storeDir, ...extraArgs], join(dataDir, "nats-server.log"));
    await proc.waitFor(/Server is ready/, 20_000);
    return proc;
  };
  const server: LocalNats = {
    url: `nats://127.0.0.1:${p}`,
    port: p,
    process: await launch(),
    restart: async () => {
      await server.process.stop();
      server.process = await launch();
    },
  };
  return server;
}
