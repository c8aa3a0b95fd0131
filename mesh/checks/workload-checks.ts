import { at, describe, isRecord, ofKind, records, selects, serviceSelector, stringMap, type K8sObject } from "./k8s-model.js";
import type { MeshContext } from "./mesh-context.js";
import { serviceOf } from "./port-checks.js";
import { isMeshed, resolvePort, type PodTemplateModel } from "./workloads.js";

const GPU = "nvidia.com/gpu";
export const ACCELERATOR_LABEL = "recmesh.io/accelerator";
export const STABLE_TRACK = "cpu";

/** Every pod, ours and the charts', gets the Linkerd proxy (linkerd.io/inject on the namespace or template). */
export function checkInjection(ctx: MeshContext): string[] {
  const problems: string[] = [];
  if (ctx.namespace?.metadata.annotations?.["linkerd.io/inject"] !== "enabled") problems.push(`Namespace ${ctx.namespace?.metadata.name ?? "(none)"}: no linkerd.io/inject: enabled`);
  for (const pod of ctx.pods) {
    if (!isMeshed(pod, ctx.namespace)) problems.push(`${pod.owner}: not meshed (linkerd.io/inject is not enabled on it or its namespace)`);
  }
  return problems;
}

/** Services select pods, and every Service port's targetPort is a port of those pods. */
export function checkServiceSelectors(ctx: MeshContext): string[] {
  const problems: string[] = [];
  for (const service of ofKind(ctx.objects, "Service")) {
    const selector = serviceSelector(service);
    const pods = selector ? ctx.pods.filter((p) => selects(selector, p.labels)) : [];
    if (pods.length === 0) problems.push(`${describe(service)}: selects no pods`);
    for (const port of records(at(service.spec, "ports"))) {
      for (const pod of pods) {
        if (!resolvePort(port.targetPort ?? port.port, pod.containers.flatMap((c) => c.ports))) {
          problems.push(`${describe(service)}: targetPort ${String(port.targetPort)} is not a port of ${pod.owner}`);
        }
      }
    }
  }
  return problems;
}

/** The apex Service a canary is split under selects only stable-track pods. */
export function checkApexService(ctx: MeshContext, apex: string): string[] {
  const service = ofKind(ctx.objects, "Service").find((s) => s.metadata.name === apex);
  if (!service) return [`Service/${apex} is missing`];
  const selector = serviceSelector(service);
  const pods = selector ? ctx.pods.filter((p) => selects(selector, p.labels)) : [];
  if (pods.length === 0) return [`Service/${apex}: selects no pods`];
  if (stringMap(at(service.spec, "selector"))[ACCELERATOR_LABEL] !== STABLE_TRACK) {
    return [`Service/${apex}: selector must pin ${ACCELERATOR_LABEL}=${STABLE_TRACK} so it never selects canary pods`];
  }
  return pods.filter((p) => p.labels[ACCELERATOR_LABEL] !== STABLE_TRACK).map((p) => `Service/${apex}: selects non-stable pods of ${p.owner}`);
}

/** nvidia.com/gpu only in the inference container's limits, on GPU-track pods scheduled onto GPU nodes. */
export function checkGpu(ctx: MeshContext): string[] {
  const problems: string[] = [];
  for (const deployment of ofKind(ctx.objects, "Deployment")) {
    const podSpec = at(deployment.spec, "template", "spec");
    const gpuTrack = at(deployment.spec, "template", "metadata", "labels", ACCELERATOR_LABEL) === "gpu";
    for (const container of records(at(podSpec, "containers"))) {
      const where = `${describe(deployment)} ${String(container.name)}`;
      const limit = at(container, "resources", "limits", GPU);
      if (at(container, "resources", "requests", GPU) !== undefined) problems.push(`${where}: ${GPU} belongs in limits only`);
      const inference = serviceOf(container) === "ranking";
      if (limit !== undefined && !(gpuTrack && inference)) problems.push(`${where}: ${GPU} outside the GPU ranking inference container`);
      if (gpuTrack && inference && !(Number(limit) >= 1)) problems.push(`${where}: GPU track without a ${GPU} limit`);
    }
    if (!gpuTrack) continue;
    const tolerates = records(at(podSpec, "tolerations")).some((t) => t.key === GPU);
    if (!tolerates) problems.push(`${describe(deployment)}: no toleration for ${GPU} taints`);
    if (!isRecord(at(podSpec, "nodeSelector")) && !isRecord(at(podSpec, "affinity", "nodeAffinity"))) problems.push(`${describe(deployment)}: not pinned to GPU nodes`);
    for (const key of Object.keys(stringMap(at(deployment.spec, "template", "metadata", "annotations")))) {
      if (key.startsWith("config.linkerd.io/proxy") && key.toLowerCase().includes("gpu")) problems.push(`${describe(deployment)}: the proxy needs no GPU (${key})`);
    }
  }
  return problems;
}

/** Non-root, read-only root filesystem, no privilege escalation, requests and limits. */
export function checkSecurity(ctx: MeshContext): string[] {
  const problems: string[] = [];
  for (const deployment of ofKind(ctx.objects, "Deployment")) {
    const podSpec = at(deployment.spec, "template", "spec");
    if (at(podSpec, "securityContext", "runAsNonRoot") !== true) problems.push(`${describe(deployment)}: runAsNonRoot is not set`);
    for (const c of records(at(podSpec, "containers"))) {
      const where = `${describe(deployment)} ${String(c.name)}`;
      if (at(c, "securityContext", "readOnlyRootFilesystem") !== true) problems.push(`${where}: root filesystem is writable`);
      if (at(c, "securityContext", "allowPrivilegeEscalation") !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      for (const kind of ["requests", "limits"]) {
        for (const resource of ["cpu", "memory"]) {
          if (at(c, "resources", kind, resource) === undefined) problems.push(`${where}: no ${resource} ${kind}`);
        }
      }
    }
  }
  return problems;
}

function selectingAny(objects: K8sObject[], kind: string, pod: PodTemplateModel): boolean {
  return ofKind(objects, kind).some((o) => selects(at(o.spec, "selector"), pod.labels));
}

/** Every Deployment has a PodDisruptionBudget; the stable services scale with an HPA on their own container. */
export function checkAvailability(ctx: MeshContext, autoscaled: string[]): string[] {
  const problems: string[] = [];
  for (const deployment of ofKind(ctx.objects, "Deployment")) {
    const pod = ctx.pods.find((p) => p.owner === describe(deployment));
    if (pod && !selectingAny(ctx.objects, "PodDisruptionBudget", pod)) problems.push(`${describe(deployment)}: no PodDisruptionBudget`);
  }
  for (const name of autoscaled) {
    const hpa = ofKind(ctx.objects, "HorizontalPodAutoscaler").find((h) => at(h.spec, "scaleTargetRef", "name") === name);
    const deployment = ofKind(ctx.objects, "Deployment").find((d) => d.metadata.name === name);
    if (!hpa || !deployment) {
      problems.push(`Deployment/${name}: no HorizontalPodAutoscaler`);
      continue;
    }
    const containers = records(at(deployment.spec, "template", "spec", "containers")).map((c) => String(c.name));
    for (const metric of records(at(hpa.spec, "metrics"))) {
      const container = at(metric, "containerResource", "container");
      if (container !== undefined && !containers.includes(String(container))) problems.push(`${describe(hpa)}: container ${String(container)} is not in Deployment/${name}`);
    }
  }
  return problems;
}
