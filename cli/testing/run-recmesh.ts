import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface RecmeshRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/recmesh.mjs <args>` as a user runs it, with `env` over this process's; killed after `killAfterMs`. */
export function runRecmesh(args: string[], env: Record<string, string>, killAfterMs: number): Promise<RecmeshRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/recmesh.mjs", ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.once("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
