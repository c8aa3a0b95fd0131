import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Registry, collectDefaultMetrics } from "prom-client";
import { isRecord } from "./k8s-model.js";

/**
 * Metrics the dashboard reads that recmesh does not export itself: the NATS
 * Prometheus exporter sidecar of the nats chart (`-jsz=all -prefix=nats`).
 */
export const EXTERNAL_METRICS: Record<string, string> = {
  nats_consumer_num_pending: "prometheus-nats-exporter (JetStream consumer lag)",
  nats_consumer_num_ack_pending: "prometheus-nats-exporter",
  nats_consumer_num_redelivered: "prometheus-nats-exporter",
  nats_stream_total_messages: "prometheus-nats-exporter",
  nats_stream_total_bytes: "prometheus-nats-exporter",
};

const PROMQL_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"]);

/** Metric names a PromQL expression reads (functions, labels, keywords and Grafana variables removed). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\$\{?\w+\}?/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice((m.index ?? 0) + m[0].length).trimStart();
    if (after.startsWith("(") || PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Every PromQL expression in a Grafana dashboard (panel targets and templating queries). */
export function dashboardExpressions(dashboard: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isRecord(value)) {
      if (typeof value.expr === "string") found.push(value.expr);
      if (isRecord(value.query) && typeof value.query.query === "string") found.push(value.query.query.replace(/^label_values\(([^,)]+).*$/, "$1"));
      Object.values(value).forEach(walk);
    }
  };
  walk(dashboard);
  return found;
}

/** recmesh_* metric names registered in the services' sources (tests excluded). */
export function exportedMetricNames(servicesDir: string): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        for (const m of readFileSync(path, "utf8").matchAll(/["'`](recmesh_[a-z0-9_]+)["'`]/g)) names.add(m[1] ?? "");
      }
    }
  };
  walk(servicesDir);
  return names;
}

/** The process metrics prom-client's default collectors export (every service enables them). */
export async function defaultMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  registry.clear();
  return new Set(names);
}

/** Names the dashboard uses that nothing exports (histogram series suffixes allowed). */
export function unknownMetrics(expressions: string[], exported: Set<string>): string[] {
  const known = (name: string) => exported.has(name) || exported.has(name.replace(/_(bucket|sum|count)$/, "")) || name in EXTERNAL_METRICS;
  return [...new Set(expressions.flatMap(metricNames))].filter((n) => !known(n));
}
