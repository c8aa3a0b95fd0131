import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";
import { isK8sObject, type K8sObject } from "./k8s-model.js";

export interface KubectlInfo {
  path: string;
  clientVersion: string;
  kustomizeVersion: string;
}

/** Oldest kustomize that renders these manifests (components, labels, GRPCRoute patches). */
const MIN_KUSTOMIZE_MAJOR = 5;

/**
 * A kubectl whose bundled kustomize can render mesh/, or why there is none
 * (Debian's kubectl 1.20 bundles kustomize v2, which cannot).
 */
export function findKubectl(path = process.env.KUBECTL ?? "kubectl"): { info: KubectlInfo } | { missing: string } {
  let raw: string;
  try {
    raw = execFileSync(path, ["version", "--client", "-o", "json"], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    return { missing: `${path} not runnable: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
  }
  const parsed = JSON.parse(raw) as { clientVersion?: { gitVersion?: string }; kustomizeVersion?: string };
  const kustomizeVersion = parsed.kustomizeVersion ?? "";
  const major = Number(/^v?(\d+)\./.exec(kustomizeVersion)?.[1] ?? 0);
  const clientVersion = parsed.clientVersion?.gitVersion ?? "unknown";
  if (major < MIN_KUSTOMIZE_MAJOR) {
    return { missing: `${path} ${clientVersion} bundles kustomize ${kustomizeVersion || "(none)"}; v${MIN_KUSTOMIZE_MAJOR}+ is needed` };
  }
  return { info: { path, clientVersion, kustomizeVersion } };
}

/** `kubectl kustomize <dir>` parsed into objects. */
export function renderKustomization(kubectl: KubectlInfo, dir: string): K8sObject[] {
  const text = execFileSync(kubectl.path, ["kustomize", dir], { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return parseManifests(text, dir);
}

/** Multi-document YAML into Kubernetes objects; anything else is an error. */
export function parseManifests(text: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? "YAML error"}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isK8sObject(value)) throw new Error(`${source}: a document is not a Kubernetes object`);
    objects.push(value);
  }
  return objects;
}
