import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { loadRankingConfig } from "../../services/ranking/config.js";
import { copiedFolders } from "./dockerfile-checks.js";
import { at, describe, ofKind, records } from "./k8s-model.js";
import type { MeshContext } from "./mesh-context.js";
import { containerEnv, serviceOf } from "./port-checks.js";

/** The images' WORKDIR: where the repository's folders land. */
const IMAGE_ROOT = "/app/";

/** Build-context patterns of a .dockerignore (comments, blanks and negations left out). */
function ignoredPaths(dockerignore: string): string[] {
  return dockerignore
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("!"));
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/**
 * A ranking container that publishes a bootstrap model at start (the demo
 * model by default) must find it in its image: copied by every Dockerfile and
 * not cut from the build context, or the pod exits at start and crash-loops.
 */
export function checkRankingBootstrap(ctx: MeshContext, repoRoot: string, dockerfiles: Record<string, string>, dockerignore: string): string[] {
  const problems: string[] = [];
  for (const deployment of ofKind(ctx.objects, "Deployment")) {
    for (const container of records(at(deployment.spec, "template", "spec", "containers"))) {
      if (serviceOf(container) !== "ranking") continue;
      const owner = `${describe(deployment)} ${String(container.name)}`;
      const dir = loadRankingConfig(containerEnv(ctx.objects, container)).bootstrapModelDir;
      if (dir === "") continue;
      const inRepo = dir.startsWith(IMAGE_ROOT) ? dir.slice(IMAGE_ROOT.length) : relative(repoRoot, dir);
      if (inRepo.startsWith("..") || !existsSync(join(repoRoot, inRepo, "manifest.json"))) {
        problems.push(`${owner}: bootstrap model ${dir} is not a model directory of this repository`);
        continue;
      }
      for (const [file, text] of Object.entries(dockerfiles)) {
        if (!copiedFolders(text).some((f) => within(inRepo, f))) problems.push(`${owner}: ${file} does not copy the bootstrap model ${inRepo}/`);
      }
      const ignored = ignoredPaths(dockerignore).find((p) => within(inRepo, p));
      if (ignored) problems.push(`${owner}: .dockerignore pattern "${ignored}" cuts the bootstrap model ${inRepo}/ from the build context`);
    }
  }
  return problems;
}
