import { join } from "node:path";
import type { GrpcTlsSettings } from "../../services/kit/config/tls-config.js";
import { checkHealth } from "../../services/kit/grpc/health-client.js";
import { ManagedProcess } from "../../services/kit/infra/managed-process.js";
import type { ServiceSpec } from "./service-specs.js";

export interface RunningService {
  spec: ServiceSpec;
  process: ManagedProcess;
}

/** Starts one service as a child process (tsx, no build step) with its log in `logDir`. */
export function startService(spec: ServiceSpec, env: Record<string, string>, logDir: string): RunningService {
  const proc = new ManagedProcess(
    spec.name,
    process.execPath,
    ["--import", "tsx", spec.entry],
    join(logDir, `${spec.name}.log`),
    { ...process.env, ...env },
  );
  return { spec, process: proc };
}

/** Resolves once the service's grpc.health.v1 reports SERVING; rejects if it exits or times out. */
export async function waitUntilServing(service: RunningService, timeoutMs: number, tls?: GrpcTlsSettings): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const address = `127.0.0.1:${service.spec.grpcPort}`;
  for (;;) {
    if (!service.process.running) {
      throw new Error(`${service.spec.name} exited during start-up:\n${service.process.outputTail()}`);
    }
    const status = await checkHealth(address, "", tls).catch(() => "UNREACHABLE");
    if (status === "SERVING") return;
    if (Date.now() > deadline) {
      throw new Error(`${service.spec.name} not SERVING after ${timeoutMs} ms (last: ${status}):\n${service.process.outputTail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
