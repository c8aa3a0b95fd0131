import { at, describe, ofKind, records, stringMap, type Json, type K8sObject } from "./k8s-model.js";

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface ContainerModel {
  name: string;
  ports: ContainerPort[];
  /** The container spec as rendered (empty for chart containers, which are not rendered here). */
  spec: Json;
}

/** A pod template: rendered from a Deployment, or declared by a Helm chart's values. */
export interface PodTemplateModel {
  owner: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount: string;
  containers: ContainerModel[];
  fromChart: boolean;
}

/** A Service declared by a Helm chart's values (the chart is not rendered offline). */
export interface DeclaredService {
  name: string;
  ports: number[];
  annotations: Record<string, string>;
}

/** The Linkerd proxy adds this named port to every injected pod. */
export const PROXY_ADMIN_PORT: ContainerPort = { name: "linkerd-admin", containerPort: 4191 };

export function containerPorts(container: Json): ContainerPort[] {
  return records(container.ports).map((p) => ({
    name: typeof p.name === "string" ? p.name : undefined,
    containerPort: Number(p.containerPort),
  }));
}

export function podTemplateOf(deployment: K8sObject): PodTemplateModel {
  const template = at(deployment.spec, "template");
  const podSpec = at(template, "spec");
  return {
    owner: describe(deployment),
    labels: stringMap(at(template, "metadata", "labels")),
    annotations: stringMap(at(template, "metadata", "annotations")),
    serviceAccount: String(at(podSpec, "serviceAccountName") ?? "default"),
    containers: records(at(podSpec, "containers")).map((c) => ({ name: String(c.name), ports: containerPorts(c), spec: c })),
    fromChart: false,
  };
}

export function renderedPodTemplates(objects: K8sObject[]): PodTemplateModel[] {
  return ofKind(objects, "Deployment").map(podTemplateOf);
}

/** True when Linkerd injects the pod: the annotation on its template or on the namespace. */
export function isMeshed(pod: PodTemplateModel, namespace: K8sObject | undefined): boolean {
  const nsInject = namespace?.metadata.annotations?.["linkerd.io/inject"];
  const podInject = pod.annotations["linkerd.io/inject"];
  return podInject === "enabled" || (podInject === undefined && nsInject === "enabled");
}

/** Every port of the pod, the injected proxy's admin port included when meshed. */
export function podPorts(pod: PodTemplateModel, meshed: boolean): ContainerPort[] {
  const ports = pod.containers.flatMap((c) => c.ports);
  return meshed ? [...ports, PROXY_ADMIN_PORT] : ports;
}

/** A port given by name or number, resolved against a pod's ports. */
export function resolvePort(ref: unknown, ports: ContainerPort[]): ContainerPort | undefined {
  if (typeof ref === "number") return ports.find((p) => p.containerPort === ref);
  if (typeof ref === "string") return ports.find((p) => p.name === ref) ?? ports.find((p) => String(p.containerPort) === ref);
  return undefined;
}
