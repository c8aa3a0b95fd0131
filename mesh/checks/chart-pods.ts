import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { at, isRecord, records, stringMap, type Json } from "./k8s-model.js";
import type { DeclaredService, PodTemplateModel } from "./workloads.js";

export interface HelmChartEntry {
  name: string;
  repo: string;
  version: string;
  releaseName: string;
  valuesFile: string;
  values: Json;
}

/** What the stateful charts will create, as far as the mesh depends on it. */
export interface ChartDeclarations {
  charts: HelmChartEntry[];
  pods: PodTemplateModel[];
  services: DeclaredService[];
  serviceAccounts: string[];
}

/** The helmCharts entries of mesh/stateful/kustomization.yaml with their values files. */
export function readHelmCharts(statefulDir: string): HelmChartEntry[] {
  const kustomization: unknown = parse(readFileSync(join(statefulDir, "kustomization.yaml"), "utf8"));
  return records(at(kustomization, "helmCharts")).map((c) => {
    const valuesFile = String(c.valuesFile);
    const values: unknown = parse(readFileSync(join(statefulDir, valuesFile), "utf8"));
    return {
      name: String(c.name),
      repo: String(c.repo),
      version: String(c.version),
      releaseName: String(c.releaseName),
      valuesFile,
      values: isRecord(values) ? values : {},
    };
  });
}

const num = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
const on = (value: unknown) => value === true;

/**
 * nats-io/k8s "nats" 1.x: a StatefulSet whose pods carry the selector labels plus
 * podTemplate.merge labels, ports nats/cluster/monitor (+ the exporter sidecar's),
 * Services <fullname> (client port) and <fullname>-headless.
 */
function natsChart(chart: HelmChartEntry): Pick<ChartDeclarations, "pods" | "services" | "serviceAccounts"> {
  const v = chart.values;
  const fullname = String(v.fullnameOverride ?? chart.releaseName);
  const natsPort = num(at(v, "config", "nats", "port"), 4222);
  const clusterPort = num(at(v, "config", "cluster", "port"), 6222);
  const monitorPort = num(at(v, "config", "monitor", "port"), 8222);
  const serviceAccount = on(at(v, "serviceAccount", "enabled")) ? String(at(v, "serviceAccount", "name") ?? fullname) : "default";
  const natsPorts = [{ name: "nats", containerPort: natsPort }, { name: "monitor", containerPort: monitorPort }];
  if (on(at(v, "config", "cluster", "enabled"))) natsPorts.push({ name: "cluster", containerPort: clusterPort });
  const containers = [{ name: "nats", ports: natsPorts, spec: {} }];
  if (on(at(v, "promExporter", "enabled"))) {
    containers.push({ name: "prom-exporter", ports: [{ name: "prom-metrics", containerPort: num(at(v, "promExporter", "port"), 7777) }], spec: {} });
  }
  return {
    pods: [
      {
        owner: `chart ${chart.name} (StatefulSet ${fullname})`,
        labels: {
          "app.kubernetes.io/name": chart.name,
          "app.kubernetes.io/instance": chart.releaseName,
          "app.kubernetes.io/component": "nats",
          ...stringMap(at(v, "podTemplate", "merge", "metadata", "labels")),
        },
        annotations: stringMap(at(v, "podTemplate", "merge", "metadata", "annotations")),
        serviceAccount,
        containers,
        fromChart: true,
      },
    ],
    services: [
      { name: fullname, ports: [natsPort], annotations: stringMap(at(v, "service", "merge", "metadata", "annotations")) },
      {
        name: `${fullname}-headless`,
        ports: [natsPort, clusterPort, monitorPort],
        annotations: stringMap(at(v, "headlessService", "merge", "metadata", "annotations")),
      },
    ],
    serviceAccounts: serviceAccount === "default" ? [] : [serviceAccount],
  };
}

/**
 * DandyDeveloper "redis-ha" 4.x: StatefulSet <fullname>-server (containers redis and
 * sentinel) and, with haproxy.enabled, Deployment <fullname>-haproxy that forwards
 * to the current master; Services <fullname> and <fullname>-haproxy.
 */
function redisHaChart(chart: HelmChartEntry): Pick<ChartDeclarations, "pods" | "services" | "serviceAccounts"> {
  const v = chart.values;
  const fullname = String(v.fullnameOverride ?? `${chart.releaseName}-${chart.name}`);
  const redisPort = num(at(v, "redis", "port"), 6379);
  const sentinelPort = num(at(v, "sentinel", "port"), 26379);
  const serverAccount = String(at(v, "serviceAccount", "name") ?? fullname);
  const pods: PodTemplateModel[] = [
    {
      owner: `chart ${chart.name} (StatefulSet ${fullname}-server)`,
      labels: { app: chart.name, release: chart.releaseName, [fullname]: "replica", ...stringMap(v.labels) },
      annotations: stringMap(v.podAnnotations),
      serviceAccount: serverAccount,
      containers: [
        { name: "redis", ports: [{ name: "redis", containerPort: redisPort }], spec: {} },
        { name: "sentinel", ports: [{ name: "sentinel", containerPort: sentinelPort }], spec: {} },
      ],
      fromChart: true,
    },
  ];
  const services: DeclaredService[] = [{ name: fullname, ports: [redisPort, sentinelPort], annotations: stringMap(v.serviceAnnotations) }];
  const serviceAccounts = [serverAccount];
  if (on(at(v, "haproxy", "enabled"))) {
    const haproxyAccount = String(at(v, "haproxy", "serviceAccountName") ?? `${fullname}-haproxy`);
    pods.push({
      owner: `chart ${chart.name} (Deployment ${fullname}-haproxy)`,
      labels: { app: `${chart.name}-haproxy`, release: chart.releaseName, ...stringMap(at(v, "haproxy", "labels")) },
      annotations: stringMap(at(v, "haproxy", "annotations")),
      serviceAccount: haproxyAccount,
      containers: [{ name: "haproxy", ports: [{ name: "redis", containerPort: num(at(v, "haproxy", "containerPort"), 6379) }], spec: {} }],
      fromChart: true,
    });
    services.push({
      name: `${fullname}-haproxy`,
      ports: [num(at(v, "haproxy", "servicePort"), 6379)],
      annotations: stringMap(at(v, "haproxy", "service", "annotations")),
    });
    serviceAccounts.push(haproxyAccount);
  }
  return { pods, services, serviceAccounts };
}

const CHARTS: Record<string, (chart: HelmChartEntry) => Pick<ChartDeclarations, "pods" | "services" | "serviceAccounts">> = {
  nats: natsChart,
  "redis-ha": redisHaChart,
};

/** Declarations of every chart in mesh/stateful; a chart this module cannot read is an error. */
export function chartDeclarations(statefulDir: string): ChartDeclarations {
  const charts = readHelmCharts(statefulDir);
  const result: ChartDeclarations = { charts, pods: [], services: [], serviceAccounts: [] };
  for (const chart of charts) {
    const declare = CHARTS[chart.name];
    if (!declare) throw new Error(`mesh/stateful: no declaration for chart ${chart.name}; add one to chart-pods.ts`);
    const d = declare(chart);
    result.pods.push(...d.pods);
    result.services.push(...d.services);
    result.serviceAccounts.push(...d.serviceAccounts);
  }
  return result;
}
