import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { CandidateServiceClient } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import { ExperimentServiceClient } from "../../gen/recmesh/experiment/v1/experiment_service.js";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceClient } from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { RecommenderServiceService } from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { EventPublisher } from "../kit/events/event-publisher.js";
import { connectNats } from "../kit/events/nats-connection.js";
import { declareStreams } from "../kit/events/topology.js";
import { createClient } from "../kit/grpc/client-factory.js";
import { Dependency } from "../kit/grpc/dependency.js";
import { ServiceServer } from "../kit/grpc/service-server.js";
import { createRuntime, isEntryPoint, runAsMain } from "../kit/runtime.js";
import { CandidateClient } from "./adapters/candidate-client.js";
import { ExperimentClient } from "./adapters/experiment-client.js";
import { ExposureLogger, publishExposure, type PendingExposure } from "./adapters/exposure-logger.js";
import { FeatureClient, userViewNames } from "./adapters/feature-client.js";
import { InteractionPublisher } from "./adapters/interaction-publisher.js";
import { natsLinkUp } from "./adapters/nats-link.js";
import { RankingClient } from "./adapters/ranking-client.js";
import { loadRecommenderConfig, type RecommenderConfig } from "./config.js";
import { CategoryCapFilter } from "./filters/category-cap-filter.js";
import { DuplicateItemsFilter } from "./filters/duplicate-items-filter.js";
import { SeenItemsFilter } from "./filters/seen-items-filter.js";
import { recommenderHandlers } from "./handlers.js";
import { RecommendPipeline } from "./pipeline/recommend-pipeline.js";
import { exportCandidateBudget, recommenderMetrics } from "./recommender-metrics.js";
import { CandidateBudget } from "./resilience/candidate-budget.js";
import { ConcurrencyLimiter } from "./resilience/concurrency-limiter.js";
import { RetryingQueue } from "./tracking/retrying-queue.js";

const MARGIN_MS = 2;

/** Composition root of the recommender, the front door. */
export async function startRecommenderService(config: RecommenderConfig, options: { logger?: Logger } = {}) {
  const runtime = await createRuntime(config.server, options);
  const { logger, metrics, lifecycle } = runtime;
  const m = recommenderMetrics(metrics);

  const nc = await connectNats(config.nats, "recmesh-recommender", logger);
  lifecycle.add("nats", () => nc.drain());
  const js = jetstream(nc);
  await declareStreams(await jetstreamManager(nc), config.streams);
  const publisher = new EventPublisher(js);

  const dependency = (name: string) => {
    const d = new Dependency(name, config.breaker, metrics, logger);
    lifecycle.add(`${name} breaker`, () => d.shutdown());
    return d;
  };
  const client = <C extends { close(): void }>(name: string, make: () => C): C => {
    const c = make();
    lifecycle.add(`${name} client`, () => c.close());
    return c;
  };
  const budget = (timeoutMs: number) => ({ timeoutMs, marginMs: MARGIN_MS });

  const experimentClient = client("experiment", () => createClient(ExperimentServiceClient, config.addresses.experiment, config.server));
  const experiments = new ExperimentClient(experimentClient, dependency("experiment"), budget(config.timeouts.experiment), logger, config.assignment);
  experiments.watch();
  lifecycle.add("experiment watch", () => experiments.stop());

  const featureClient = client("feature", () => createClient(FeatureServiceClient, config.addresses.feature, config.server));
  const features = new FeatureClient(featureClient, dependency("feature"), budget(config.timeouts.features));
  const registryRead = new AbortController();
  lifecycle.add("feature registry read", () => registryRead.abort());
  void readUserViews(featureClient, features, registryRead.signal, logger);

  const candidates = new CandidateClient(
    client("candidate", () => createClient(CandidateServiceClient, config.addresses.candidate, config.server)),
    dependency("candidate"),
    budget(config.timeouts.candidates),
    logger,
  );
  void candidates.startPopularRefresh(config.candidates.max, config.popularRefreshMs);
  lifecycle.add("popular refresh", () => candidates.stop());

  const ranking = new RankingClient(
    client("ranking", () => createClient(RankingServiceClient, config.addresses.ranking, config.server)),
    dependency("ranking"),
    budget(config.timeouts.ranking),
    (model) => m.unknownModels.inc({ model }),
  );

  const candidateBudget = new CandidateBudget(config.candidates);
  const pipeline = new RecommendPipeline({
    experiments,
    features,
    candidates,
    ranking,
    budget: candidateBudget,
    surfaces: new Map(
      [...config.surfaces].map((s) => [
        s,
        { filters: [new DuplicateItemsFilter(), new SeenItemsFilter(), new CategoryCapFilter(config.maxPerCategory, config.maxCount)] },
      ]),
    ),
    minBudgetMs: config.minBudgetMs,
    onFallback: (dependencyName, err) => {
      m.fallbacks.inc({ dependency: dependencyName });
      logger.debug({ dependency: dependencyName, err: err instanceof Error ? err.message : String(err) }, "fallback used");
    },
  });
  exportCandidateBudget(metrics, candidateBudget);

  const exposureQueue = new RetryingQueue<PendingExposure>(
    publishExposure(publisher),
    { capacity: config.exposureQueue, concurrency: 64, initialRetryMs: 100, maxRetryMs: 5_000 },
    (err, backoffMs) => {
      m.exposureFailures.inc();
      logger.warn({ err: err instanceof Error ? err.message : String(err), backoffMs, pending: exposureQueue.pending }, "exposure publish failed; retrying");
    },
  );
  const queueGauge = setInterval(() => m.exposureQueue.set(exposureQueue.pending), 1_000);
  queueGauge.unref();
  lifecycle.add("exposure queue", async () => {
    clearInterval(queueGauge);
    const left = await exposureQueue.drain(5_000);
    if (left > 0) logger.error({ left }, "exposure events not delivered before shutdown");
  });

  const server = new ServiceServer({
    settings: config.server,
    logger,
    metrics,
    services: [
      {
        definition: RecommenderServiceService,
        implementation: recommenderHandlers({
          pipeline,
          limiter: new ConcurrencyLimiter(config.maxConcurrency, () => m.shed.inc()),
          sideEffects: [new ExposureLogger(exposureQueue, () => m.exposuresDropped.inc())],
          interactions: new InteractionPublisher(publisher, natsLinkUp(nc)),
          limits: {
            maxCount: config.maxCount,
            maxExclude: 1_000,
            maxIdLength: 128,
            surfaces: config.surfaces,
            interactions: { maxFutureSkewMs: 300_000, maxAgeMs: config.maxEventAgeMs, maxIdLength: 128 },
            trackStreamConcurrency: config.trackStreamConcurrency,
            sessionRefreshDelayMs: config.sessionRefreshDelayMs,
          },
          logger,
          defaultDeadlineMs: config.server.defaultDeadlineMs,
        }),
      },
    ],
  });
  await server.listen();
  lifecycle.add("grpc", () => server.drain());
  server.markServing();

  return { grpcPort: server.grpcPort, adminPort: server.adminPort, exposureQueue, lifecycle, stop: () => lifecycle.shutdown() };
}

async function readUserViews(client: FeatureServiceClient, features: FeatureClient, signal: AbortSignal, logger: Logger): Promise<void> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const views = await userViewNames(client, 2_000);
      features.setViews(views);
      logger.info({ views }, "user feature views read from the registry");
      return;
    } catch (err) {
      if (attempt % 10 === 1) logger.warn({ err: err instanceof Error ? err.message : String(err) }, "feature registry unavailable; retrying");
      await sleep(1_000);
    }
  }
}

if (isEntryPoint(import.meta.url)) runAsMain(() => startRecommenderService(loadRecommenderConfig()));
