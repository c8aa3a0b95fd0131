import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { EventPublisher } from "../kit/events/event-publisher.js";
import { connectNats } from "../kit/events/nats-connection.js";
import { declareStreams } from "../kit/events/topology.js";
import { ServiceServer } from "../kit/grpc/service-server.js";
import { createRuntime, isEntryPoint, runAsMain } from "../kit/runtime.js";
import { connectRedis } from "../kit/stores/redis-connection.js";
import { FeatureEventDecoder } from "./adapters/event-decoder.js";
import { FeatureAggregator } from "./adapters/feature-aggregator.js";
import { FeatureWriter } from "./adapters/feature-writer.js";
import { RedisRowStore } from "./adapters/redis-row-store.js";
import { FEATURE_SERVICE_DEFINITION } from "./adapters/service-definition.js";
import { loadFeatureConfig, type FeatureConfig } from "./config.js";
import { FeatureProjector } from "./domain/feature-projector.js";
import { FeatureQueries } from "./domain/feature-queries.js";
import { FeatureReader } from "./domain/feature-reader.js";
import { featureHandlers } from "./handlers.js";
import { FeatureRegistry } from "./registry/feature-registry.js";
import { EMBEDDING_DIM, FEATURE_VIEWS } from "./registry/feature-views.js";

export interface FeatureServiceOptions {
  logger?: Logger;
  /** Read-time clock (recency, decay, staleness); tests pin it. */
  clock?: () => number;
}

/** Composition root of the feature service: Redis, NATS, the aggregator, then the gRPC server. */
export async function startFeatureService(config: FeatureConfig, options: FeatureServiceOptions = {}) {
  const runtime = await createRuntime(config.server, options);
  const { logger, metrics, lifecycle } = runtime;
  const clock = options.clock ?? Date.now;
  try {
    const redis = await connectRedis(config.redis, "recmesh-feature", logger);
    lifecycle.add("redis", () => redis.quit());
    const nc = await connectNats(config.nats, "recmesh-feature", logger);
    lifecycle.add("nats", () => nc.drain());
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await declareStreams(jsm, config.streams);

    const registry = new FeatureRegistry(FEATURE_VIEWS);
    const store = new RedisRowStore(redis);
    const projector = new FeatureProjector(registry, store);
    let aggregator: FeatureAggregator | undefined;
    if (config.runAggregator) {
      const decoder = new FeatureEventDecoder(registry, EMBEDDING_DIM);
      const running = new FeatureAggregator(js, jsm, decoder, projector, () => store.ready(), logger, metrics);
      await running.start();
      lifecycle.add("aggregator", () => running.stop());
      aggregator = running;
    }
    const queries = new FeatureQueries(registry, new FeatureReader(store, clock), config.limits);
    const writer = new FeatureWriter(registry, new EventPublisher(js), aggregator, config.limits.writeMaxEntities, clock);

    const server = new ServiceServer({
      settings: config.server,
      logger,
      metrics,
      services: [
        {
          definition: FEATURE_SERVICE_DEFINITION,
          implementation: featureHandlers({
            registry,
            queries,
            writer,
            logger,
            metrics,
            defaultDeadlineMs: config.server.defaultDeadlineMs,
            streamWindow: config.streamWindow,
          }),
        },
      ],
    });
    await server.listen();
    lifecycle.add("grpc", () => server.drain());
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
if (isEntryPoint(import.meta.url)) runAsMain(async () => startFeatureService(loadFeatureConfig()));
