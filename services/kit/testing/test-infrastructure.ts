import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInfrastructure, type Infrastructure } from "../infra/infrastructure.js";

/** Real nats-server and redis-server for one test file, on free loopback ports, in a fresh temp dir. */
export async function startTestInfrastructure(): Promise<Infrastructure & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-test-"));
  const infra = await startInfrastructure({ dataDir });
  return {
    ...infra,
    dataDir,
    stop: async () => {
      await infra.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
