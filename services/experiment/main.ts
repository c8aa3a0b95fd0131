import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { ExperimentServiceService } from "../../gen/recmesh/experiment/v1/experiment_service.js";
import { EventPublisher } from "../kit/events/event-publisher.js";
import { connectNats } from "../kit/events/nats-connection.js";
import { EXPERIMENT_BUCKET } from "../kit/events/subjects.js";
import { declareStreams, ensureKv } from "../kit/events/topology.js";
import { ServiceServer } from "../kit/grpc/service-server.js";
import { createRuntime, isEntryPoint, runAsMain } from "../kit/runtime.js";
import { connectRedis } from "../kit/stores/redis-connection.js";
import { ChangeEvents } from "./adapters/change-events.js";
import { ExposureAnalyzer } from "./adapters/exposure-analyzer.js";
import { KvDefinitionStore } from "./adapters/kv-definition-store.js";
import { KvDefinitionWatch } from "./adapters/kv-definition-watch.js";
import { KvFreshness } from "./adapters/kv-freshness.js";
import { RedisResultsStore } from "./adapters/redis-results-store.js";
import { loadExperimentConfig, type ExperimentConfig } from "./config.js";
import { ExperimentAnalysis } from "./domain/experiment-analysis.js";
import { ExperimentCatalog } from "./domain/experiment-catalog.js";
import { ExperimentRegistry } from "./domain/experiment-registry.js";
import { experimentHandlers } from "./handlers.js";

const DAY_SECONDS = 86_400;

export interface ExperimentServiceOptions {
  logger?: Logger;
  /** Clock of assignment (start/end windows); tests pin it. */
  clock?: () => number;
}

/**
 * Composition root of the experiment service: Redis (analysis state), NATS
 * (KV definitions, change events, the analyzer), the in-memory registry fed by
 * the KV watch, then the gRPC server.
 */
export async function startExperimentService(config: ExperimentConfig, options: ExperimentServiceOptions = {}) {
  const runtime = await createRuntime(config.server, options);
  const { logger, metrics, lifecycle } = runtime;
  const clock = options.clock ?? Date.now;
  try {
    const redis = await connectRedis(config.redis, "recmesh-experiment", logger);
    lifecycle.add("redis", () => redis.quit());
    const nc = await connectNats(config.nats, "recmesh-experiment", logger);
    lifecycle.add("nats", () => nc.drain());
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await declareStreams(jsm, config.streams);
    // The longest history a KV bucket keeps: a replica starting after invalid writes finds the last valid definition in it.
    const kv = await ensureKv(nc, EXPERIMENT_BUCKET, { replicas: config.streams.replicas, history: 64 });

    const registry = new ExperimentRegistry(config.watchQueueLimit);
    const watch = new KvDefinitionWatch(kv, registry, logger.child({ component: "kv-watch" }), metrics);
    lifecycle.add("kv watch", () => watch.stop());
    await watch.start(config.loadTimeoutMs);
    const freshness = new KvFreshness(kv, registry, config.freshness, logger.child({ component: "kv-freshness" }), metrics);
    freshness.start();
    lifecycle.add("kv freshness", () => freshness.stop());

    const results = new RedisResultsStore(redis, config.streams.eventRetentionDays * DAY_SECONDS);
    if (config.runAnalyzer) {
      const analyzer = new ExposureAnalyzer(js, jsm, results, registry, logger, metrics);
      await analyzer.start();
      lifecycle.add("analyzer", () => analyzer.stop());
    }

    const catalog = new ExperimentCatalog(registry, new KvDefinitionStore(kv), new ChangeEvents(new EventPublisher(js), logger, metrics));
    const server = new ServiceServer({
      settings: config.server,
      logger,
      metrics,
      services: [
        {
          definition: ExperimentServiceService,
          implementation: experimentHandlers({
            registry,
            catalog,
            analysis: new ExperimentAnalysis(registry, results),
            isStale: () => freshness.isStale(),
            logger,
            defaultDeadlineMs: config.server.defaultDeadlineMs,
            clock,
          }),
        },
      ],
    });
    await server.listen();
    lifecycle.add("grpc", () => server.drain());
    // Runs before the drain: open WatchExperiments streams end so the drain need not wait them out.
    lifecycle.add("watch streams", () => registry.closeSubscriptions());
    server.markServing();
    return {
      grpcPort: server.grpcPort,
      adminPort: server.adminPort,
      registry,
      lifecycle,
      stop: () => lifecycle.shutdown(),
    };
  } catch (err) {
    await lifecycle.shutdown();
    throw err;
  }
}

// async, so a bad variable (thrown while loading the config) reaches runAsMain as a rejection and exits 2.
if (isEntryPoint(import.meta.url)) runAsMain(async () => startExperimentService(loadExperimentConfig()));
