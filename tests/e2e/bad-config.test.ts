import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

function runService(name: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", `services/${name}/main.ts`], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("a bad environment variable stops a service at start, naming the variable", () => {
  it.each(["recommender", "feature", "candidate", "ranking", "experiment"])("%s", async (name) => {
    const port = `RECMESH_${name.toUpperCase()}_PORT`;
    const result = await runService(name, { [port]: "eighty", NATS_URL: "http://not-nats", LOG_LEVEL: "loud" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${port}: `);
    expect(result.stderr).toContain('(got "eighty")');
    expect(result.stderr).toContain("NATS_URL: expected a URL with scheme nats or tls");
    expect(result.stderr).toContain("LOG_LEVEL: ");
  });
});
