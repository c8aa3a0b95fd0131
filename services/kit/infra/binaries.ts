import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Debian package that provides each server binary. */
const PACKAGES: Record<string, string> = { "nats-server": "nats-server", "redis-server": "redis-server" };

const SYSTEM_DIRS = ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"];

export class MissingBinaryError extends Error {
  override name = "MissingBinaryError";
}

/**
 * Absolute path of an executable on PATH (or the usual system folders, which
 * sbin-less PATHs miss), if any. RECMESH_BIN_DIRS replaces the system folders.
 */
export function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const system = env.RECMESH_BIN_DIRS !== undefined ? env.RECMESH_BIN_DIRS.split(delimiter) : SYSTEM_DIRS;
  const dirs = [...(env.PATH ?? "").split(delimiter), ...system].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * Paths of the given server binaries, installing missing ones from Debian
 * packages when running as root with apt-get; otherwise a clear error that says
 * what to install.
 */
export function ensureBinaries(
  names: string[],
  log: (line: string) => void = console.error,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const missing = names.filter((n) => !findBinary(n, env));
  if (missing.length > 0) {
    const packages = missing.map((n) => PACKAGES[n] ?? n);
    const apt = findBinary("apt-get", env);
    const isRoot = process.getuid?.() === 0;
    if (!apt || !isRoot) {
      throw new MissingBinaryError(
        `${missing.join(" and ")} not found. Install ${packages.join(" ")} (Debian/Ubuntu: sudo apt-get install -y ${packages.join(" ")}), ` +
          `or point NATS_URL / REDIS_URL at running servers.`,
      );
    }
    log(`installing ${packages.join(" ")} from Debian packages…`);
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync(apt, ["update", "-qq"], { stdio: "inherit", env: aptEnv });
    execFileSync(apt, ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env: aptEnv });
  }
  const found: Record<string, string> = {};
  for (const n of names) {
    const path = findBinary(n, env);
    if (!path) throw new MissingBinaryError(`${n} still not found after installing ${PACKAGES[n] ?? n}`);
    found[n] = path;
  }
  return found;
}
