#!/usr/bin/env node
// Fails when gen/ differs from a fresh `buf generate` + descriptor build of proto/ (and of grpc.health.v1 for reflection).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const buf = join("node_modules", ".bin", "buf");
const fresh = mkdtempSync(join(tmpdir(), "recmesh-gen-"));
// grpc.health.v1 as grpc-health-check ships it, compiled for server reflection (the package's own descriptors lack full type names).
const HEALTH_PROTO_DIR = join("node_modules", "grpc-health-check", "proto");

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

try {
  execFileSync(buf, ["generate", "--output", fresh], { stdio: "inherit" });
  execFileSync(buf, ["build", "--as-file-descriptor-set", "-o", join(fresh, "gen", "recmesh.binpb")], { stdio: "inherit" });
  execFileSync(buf, ["build", HEALTH_PROTO_DIR, "--as-file-descriptor-set", "-o", join(fresh, "gen", "grpc-health.binpb")], { stdio: "inherit" });
  const expected = new Map(files(join(fresh, "gen")).map((p) => [relative(join(fresh, "gen"), p), p]));
  const actual = new Map(files("gen").map((p) => [relative("gen", p), p]));
  const problems = [];
  for (const [name, path] of expected) {
    if (!actual.has(name)) problems.push(`missing: gen/${name}`);
    else if (!readFileSync(path).equals(readFileSync(actual.get(name)))) problems.push(`stale: gen/${name}`);
  }
  for (const name of actual.keys()) if (!expected.has(name)) problems.push(`not generated from proto/: gen/${name}`);
  if (problems.length > 0) {
    console.error(`gen/ is out of date with proto/ — run \`npm run gen\` and commit:\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`gen/ is fresh (${expected.size} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
