import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface LaunchedService {
  child: ChildProcess;
  /** Resolves with the exit code (killed after `killAfterMs` at the latest). */
  exited: Promise<number | null>;
  stderr(): string;
}

/** `node --import tsx services/<name>/main.ts` as the stack runs it, with `env` over the current environment. */
export function launchService(name: string, env: Record<string, string>, killAfterMs = 60_000): LaunchedService {
  const child = spawn(process.execPath, ["--import", "tsx", `services/${name}/main.ts`], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  void exited.then(() => clearTimeout(killer));
  return { child, exited, stderr: () => stderr };
}
