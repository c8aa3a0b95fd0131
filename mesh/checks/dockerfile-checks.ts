import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export interface DockerInstruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const joined = text.replace(/\\\r?\n/g, " ");
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

function stages(instructions: DockerInstruction[]): DockerInstruction[][] {
  const result: DockerInstruction[][] = [];
  for (const i of instructions) {
    if (i.keyword === "FROM") result.push([i]);
    else result.at(-1)?.push(i);
  }
  return result;
}

/** ARG defaults, so `FROM ${NODE_IMAGE}` can be checked for a pinned tag. */
function argDefaults(instructions: DockerInstruction[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const i of instructions.filter((x) => x.keyword === "ARG")) {
    const [name = "", value] = i.args.split("=");
    if (value !== undefined) args.set(name, value);
  }
  return args;
}

/**
 * Multi-stage, every base image tagged (never :latest), a final stage that runs as
 * a numeric non-root user, no HEALTHCHECK (Kubernetes probes the services), and
 * the descriptor set for reflection copied in.
 */
export function checkDockerfile(name: string, text: string): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const all = stages(instructions);
  if (all.length < 2) problems.push(`${name}: not multi-stage`);
  const args = argDefaults(instructions);
  const stageNames = new Set(all.map((s) => /\sAS\s+(\S+)/i.exec(s[0]?.args ?? "")?.[1]).filter(Boolean));
  for (const stage of all) {
    const image = (stage[0]?.args.split(/\s+/)[0] ?? "").replace(/^\$\{(\w+)\}$/, (_, a: string) => args.get(a) ?? "");
    if (stageNames.has(image)) continue;
    if (!/:[\w][\w.-]*$/.test(image) || image.endsWith(":latest")) problems.push(`${name}: base image "${image}" is not pinned to a tag`);
  }
  const final = all.at(-1) ?? [];
  const user = final.filter((i) => i.keyword === "USER").at(-1)?.args ?? "";
  const uid = Number(user.split(":")[0]);
  if (!Number.isInteger(uid) || uid <= 0) problems.push(`${name}: final stage does not run as a numeric non-root USER (got "${user}")`);
  if (instructions.some((i) => i.keyword === "HEALTHCHECK")) problems.push(`${name}: HEALTHCHECK given; Kubernetes probes grpc.health.v1 and /livez instead`);
  if (!final.some((i) => i.keyword === "COPY" && /\bgen\b/.test(i.args))) problems.push(`${name}: gen/ (recmesh.binpb for reflection) is not copied into the final stage`);
  const entry = final.find((i) => i.keyword === "ENTRYPOINT")?.args ?? "";
  if (!entry.includes('"--import", "tsx"')) problems.push(`${name}: ENTRYPOINT does not run node --import tsx`);
  if (!instructions.some((i) => i.keyword === "RUN" && /npm ci\b.*--omit=dev/.test(i.args))) problems.push(`${name}: dependencies not installed with npm ci --omit=dev`);
  return problems;
}

/** The GPU image: a CUDA 12 runtime base and onnxruntime-node's CUDA 12 provider installed explicitly. */
export function checkGpuDockerfile(name: string, text: string): string[] {
  const problems = checkDockerfile(name, text);
  const instructions = parseDockerfile(text);
  const args = argDefaults(instructions);
  const finalFrom = stages(instructions).at(-1)?.[0]?.args.split(/\s+/)[0] ?? "";
  const finalImage = finalFrom.replace(/^\$\{(\w+)\}$/, (_, a: string) => args.get(a) ?? "");
  if (!/^nvidia\/cuda:12\.[\d.]+-cudnn-runtime-/.test(finalImage)) problems.push(`${name}: final image ${finalImage} is not a CUDA 12 cuDNN runtime base`);
  const installs = instructions.some((i) => i.keyword === "RUN" && /ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install/.test(i.args));
  if (!installs) problems.push(`${name}: onnxruntime-node's CUDA 12 provider is not installed explicitly`);
  return problems;
}

/** Top-level folders the final stage copies from the build context (`COPY <dir> ./<dir>`). */
export function copiedFolders(text: string): string[] {
  const final = stages(parseDockerfile(text)).at(-1) ?? [];
  return final
    .filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
    .filter((src) => !src.includes("."));
}

/**
 * Relative imports in the copied sources that reach a top-level folder the image
 * does not contain: the service (or CLI) would fail to start in the container.
 */
export function uncopiedImports(repoRoot: string, folders: string[]): string[] {
  const problems = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "testdata" && entry.name !== "node_modules") walk(path);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        for (const m of readFileSync(path, "utf8").matchAll(/from\s+["'](\.{1,2}\/[^"']+)["']/g)) {
          const target = relative(repoRoot, resolve(dirname(path), m[1] ?? ""));
          const top = target.split(sep)[0] ?? "";
          if (!folders.includes(top)) problems.add(`${relative(repoRoot, path)} imports ${target}, but the image has no ${top}/`);
        }
      }
    }
  };
  for (const folder of folders) walk(join(repoRoot, folder));
  return [...problems];
}
