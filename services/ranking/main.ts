import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceService } from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { EventPublisher } from "../kit/events/event-publisher.js";
import { connectNats } from "../kit/events/nats-connection.js";
import { MODEL_BUCKET } from "../kit/events/subjects.js";
import { declareStreams, ensureObjectStore } from "../kit/events/topology.js";
import { createClient } from "../kit/grpc/client-factory.js";
import { Dependency } from "../kit/grpc/dependency.js";
import { ServiceServer } from "../kit/grpc/service-server.js";
import { createRuntime, isEntryPoint, runAsMain } from "../kit/runtime.js";
import { contractFromManifestJson } from "./adapters/manifest-codec.js";
import { ModelRegistry } from "./adapters/model-registry.js";
import { loadOnnxModel } from "./adapters/onnx-model.js";
import { followAnnouncements, waitForFeatureRegistry } from "./adapters/registry-follower.js";
import { StreamFeaturesHydrator } from "./adapters/stream-features-hydrator.js";
import { loadRankingConfig, type RankingConfig } from "./config.js";
import { rankingHandlers } from "./handlers.js";
import type { ViewLayout } from "./model/feature-layout.js";
import { ModelManager } from "./model/model-manager.js";
import { ModelTable } from "./model/model-table.js";
import { PROVIDER_NAMES, type ServingModel } from "./model/serving-model.js";
import { Ranker } from "./ranker.js";
import { rankingMetrics } from "./ranking-metrics.js";
import { CachedItemFeatures } from "./scoring/cached-item-features.js";
import { RecentInputs } from "./scoring/recent-inputs.js";

/** Composition root of the ranking service. */
export async function startRankingService(config: RankingConfig, options: { logger?: Logger } = {}) {
  const runtime = await createRuntime(config.server, options);
  const { logger, metrics, lifecycle } = runtime;
  const m = rankingMetrics(metrics);

  const nc = await connectNats(config.nats, "recmesh-ranking", logger);
  lifecycle.add("nats", () => nc.drain());
  const js = jetstream(nc);
  await declareStreams(await jetstreamManager(nc), config.streams);
  const registry = new ModelRegistry(js, await ensureObjectStore(nc, MODEL_BUCKET, config.streams.replicas), new EventPublisher(js));

  const featureClient = createClient(FeatureServiceClient, config.featureAddress, config.server);
  lifecycle.add("feature client", () => featureClient.close());
  const featureDependency = new Dependency("feature", config.breaker, metrics, logger);
  lifecycle.add("feature breaker", () => featureDependency.shutdown());

  const table = new ModelTable<ServingModel>((err) => logger.warn({ err }, "model release failed"));
  lifecycle.add("models", () => table.close());
  const recent = new RecentInputs(8);
  let views: ReadonlyMap<string, ViewLayout> = new Map();
  const models = new ModelManager({
    table,
    registry: () => views,
    loadGraph: (bytes, contract) => loadOnnxModel(bytes, contract, config.session, logger),
    recent,
    batching: config.batching,
    warmupRuns: config.warmupRuns,
    defaultModel: config.defaultModel || bootstrapModelName(config),
    onBatch: (s) => m.observeBatch(s),
    onRejected: (c, reason) => {
      m.rejected.inc({ model: c.name });
      logger.error({ model: `${c.name}/${c.version}`, reason }, "model rejected: not served");
    },
    onServing: (model) => {
      m.servingOn(model.contract.name, model.provider);
      logger.info(
        { model: `${model.contract.name}/${model.contract.version}`, provider: model.provider, requested: config.session.provider },
        `model serving on ${PROVIDER_NAMES[model.provider]}`,
      );
    },
  });
  const hydrator = new StreamFeaturesHydrator(featureClient, featureDependency, config.hydrationTimeoutMs);
  const ranker = new Ranker(
    table,
    config.itemCache.maxAgeMs > 0 ? new CachedItemFeatures(hydrator, config.itemCache, (result, candidates) => m.observeItemCache(result, candidates)) : hydrator,
    recent,
    { maxCandidates: config.maxCandidates },
    (err) => {
      m.hydrationFailures.inc();
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, "item feature hydration failed: using registry defaults");
    },
  );

  const server = new ServiceServer({
    settings: config.server,
    logger,
    metrics,
    services: [
      {
        definition: RankingServiceService,
        implementation: rankingHandlers({
          ranker,
          models,
          requestedProvider: config.session.provider,
          logger,
          defaultDeadlineMs: config.server.defaultDeadlineMs,
        }),
      },
    ],
  });
  await server.listen();
  lifecycle.add("grpc", () => server.drain());

  views = await waitForFeatureRegistry(featureClient, logger);
  if (config.bootstrapModelDir && !(await registry.hasModel(bootstrapModelName(config)))) {
    const published = await registry.publishDirectory(config.bootstrapModelDir);
    logger.info({ model: `${published.contract.name}/${published.contract.version}` }, "bootstrap model published to the registry");
  }

  const watching = new AbortController();
  lifecycle.add("model watch", () => watching.abort());
  const caughtUp = followAnnouncements(registry, models, watching.signal, logger);
  await caughtUp;
  if (table.entries().length > 0) server.markServing();
  else logger.warn("no model could be loaded: staying NOT_SERVING until one is published");
  void waitForFirstModel(table, server, watching.signal);

  return {
    grpcPort: server.grpcPort,
    adminPort: server.adminPort,
    registry,
    models,
    lifecycle,
    stop: () => lifecycle.shutdown(),
  };
}

function bootstrapModelName(config: RankingConfig): string {
  if (!config.bootstrapModelDir) return "";
  return contractFromManifestJson(readFileSync(join(config.bootstrapModelDir, "manifest.json"), "utf8")).name;
}

async function waitForFirstModel(table: ModelTable<ServingModel>, server: ServiceServer, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && table.entries().length === 0) await sleep(200);
  if (!signal.aborted) server.markServing();
}

if (isEntryPoint(import.meta.url)) runAsMain(() => startRankingService(loadRankingConfig()));
