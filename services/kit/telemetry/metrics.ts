import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Latency buckets in seconds, dense below 50 ms where the request path lives. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** A service's Prometheus registry with the process metrics and the RPC RED metrics. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly rpcRequests: Counter<"method" | "code">;
  readonly rpcDuration: Histogram<"method" | "code">;
  readonly rpcInFlight: Gauge<"method">;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.rpcRequests = new Counter({
      name: "recmesh_rpc_server_requests_total",
      help: "gRPC calls handled, by method and status code.",
      labelNames: ["method", "code"],
      registers: [this.registry],
    });
    this.rpcDuration = new Histogram({
      name: "recmesh_rpc_server_duration_seconds",
      help: "gRPC call duration from first byte to status, by method and status code.",
      labelNames: ["method", "code"],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.rpcInFlight = new Gauge({
      name: "recmesh_rpc_server_in_flight",
      help: "gRPC calls in progress, by method.",
      labelNames: ["method"],
      registers: [this.registry],
    });
  }

  /** A counter of this registry, created on first use (several components may share one). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (this.registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return (this.registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge that reads `sample` when scraped, so it is never staler than the scrape. */
  sampledGauge(name: string, help: string, sample: () => number): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(sample());
      },
    });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = LATENCY_BUCKETS,
  ): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ??
      new Histogram({ name, help, labelNames, buckets, registers: [this.registry] })
    );
  }
}
