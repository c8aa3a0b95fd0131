import { chartDeclarations, type ChartDeclarations } from "./chart-pods.js";
import { ofKind, type K8sObject } from "./k8s-model.js";
import { renderedPodTemplates, type PodTemplateModel } from "./workloads.js";

/** One rendered overlay together with what the stateful charts declare. */
export interface MeshContext {
  objects: K8sObject[];
  charts: ChartDeclarations;
  namespace: K8sObject | undefined;
  /** Rendered Deployments' pod templates, then the charts' pods. */
  pods: PodTemplateModel[];
  serviceAccounts: Set<string>;
  /** Whether the namespace denies inbound traffic by default (the linkerd-policy component). */
  defaultDeny: boolean;
}

export function meshContext(objects: K8sObject[], statefulDir: string): MeshContext {
  const charts = chartDeclarations(statefulDir);
  const namespace = ofKind(objects, "Namespace")[0];
  return {
    objects,
    charts,
    namespace,
    pods: [...renderedPodTemplates(objects), ...charts.pods],
    serviceAccounts: new Set([...ofKind(objects, "ServiceAccount").map((o) => o.metadata.name), ...charts.serviceAccounts]),
    defaultDeny: namespace?.metadata.annotations?.["config.linkerd.io/default-inbound-policy"] === "deny",
  };
}
