/**
 * The Recommend pipeline of the recommender with the other four services'
 * domain objects in this one process: the same code behind every hop
 * (assignment, feature queries on Redis, candidate generation over the same
 * index, the Ranker with its dynamic batcher and ONNX session, post-ranking
 * filters, exposure logging to JetStream), without gRPC, protobuf or a second
 * process in between. The floor the stack's Recommend is compared with.
 */
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { CandidateIndexer } from "../../../services/candidate/adapters/candidate-indexer.js";
import { loadIndex } from "../../../services/candidate/adapters/index-loader.js";
import { SerialGate } from "../../../services/candidate/adapters/serial-gate.js";
import { SnapshotStore } from "../../../services/candidate/adapters/snapshot-store.js";
import { candidateMetrics } from "../../../services/candidate/candidate-metrics.js";
import { loadCandidateConfig } from "../../../services/candidate/config.js";
import { CandidateGenerator } from "../../../services/candidate/domain/candidate-generator.js";
import { SourceRegistry } from "../../../services/candidate/domain/source-registry.js";
import { CoVisitationCandidateSource } from "../../../services/candidate/sources/co-visitation-candidate-source.js";
import { EmbeddingAnnCandidateSource } from "../../../services/candidate/sources/embedding-ann-candidate-source.js";
import { PopularityCandidateSource } from "../../../services/candidate/sources/popularity-candidate-source.js";
import { KvDefinitionWatch } from "../../../services/experiment/adapters/kv-definition-watch.js";
import { ExperimentRegistry } from "../../../services/experiment/domain/experiment-registry.js";
import { viewToProto } from "../../../services/feature/adapters/proto-mapping.js";
import { RedisRowStore } from "../../../services/feature/adapters/redis-row-store.js";
import { loadFeatureConfig } from "../../../services/feature/config.js";
import { FeatureQueries } from "../../../services/feature/domain/feature-queries.js";
import { FeatureReader } from "../../../services/feature/domain/feature-reader.js";
import { FeatureRegistry } from "../../../services/feature/registry/feature-registry.js";
import { FEATURE_VIEWS } from "../../../services/feature/registry/feature-views.js";
import { EventPublisher } from "../../../services/kit/events/event-publisher.js";
import { EVENTS_STREAM, EXPERIMENT_BUCKET } from "../../../services/kit/events/subjects.js";
import { ensureKv } from "../../../services/kit/events/topology.js";
import { ServiceMetrics } from "../../../services/kit/telemetry/metrics.js";
import { layoutOf } from "../../../services/ranking/adapters/feature-views-client.js";
import { ExposureLogger, publishExposure, type PendingExposure } from "../../../services/recommender/adapters/exposure-logger.js";
import { loadRecommenderConfig } from "../../../services/recommender/config.js";
import { CategoryCapFilter } from "../../../services/recommender/filters/category-cap-filter.js";
import { DuplicateItemsFilter } from "../../../services/recommender/filters/duplicate-items-filter.js";
import { SeenItemsFilter } from "../../../services/recommender/filters/seen-items-filter.js";
import { RecommendPipeline, type Recommendation, type RecommendQuery } from "../../../services/recommender/pipeline/recommend-pipeline.js";
import { CandidateBudget } from "../../../services/recommender/resilience/candidate-budget.js";
import { ConcurrencyLimiter } from "../../../services/recommender/resilience/concurrency-limiter.js";
import { RetryingQueue } from "../../../services/recommender/tracking/retrying-queue.js";
import { demoRanker } from "./demo-ranker.js";
import { InProcessCandidates } from "./in-process-candidates.js";
import { InProcessExperiments } from "./in-process-experiments.js";
import { InProcessItemFeatures, InProcessUserFeatures } from "./in-process-features.js";
import { InProcessRanking } from "./in-process-ranking.js";
import { InProcessTastes } from "./in-process-tastes.js";

/** This floor's own indexer durable, removed when it stops (a leftover would look like a lagging projection). */
const FLOOR_DURABLE = "candidate-indexer-bench-floor";

export interface InProcessSettings {
  natsUrl: string;
  redisUrl: string;
  /** The stack's candidate snapshot directory: read (never written) to start from its index. */
  candidateSnapshotDir: string;
  modelDir: string;
}

export interface InProcessPipeline {
  /** Recommend as the handler runs it: limiter → pipeline → exposure side effect. */
  recommend(query: RecommendQuery): Promise<Recommendation>;
  /** Fallbacks taken, by dependency (each one would be a degraded response). */
  fallbacks: Map<string, number>;
  stop(): Promise<void>;
}

export async function startInProcessPipeline(settings: InProcessSettings, logger: Logger): Promise<InProcessPipeline> {
  const env = { NATS_URL: settings.natsUrl, REDIS_URL: settings.redisUrl };
  const metrics = new ServiceMetrics("bench-floor");
  const closers: (() => Promise<unknown> | void)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const redis = new Redis(settings.redisUrl, { lazyConnect: true });
    await redis.connect();
    closers.push(() => redis.quit());
    const nc: NatsConnection = await connect({ servers: settings.natsUrl, name: "recmesh-bench-floor" });
    closers.push(() => nc.drain());
    const jsm = await jetstreamManager(nc);

    const featureRegistry = new FeatureRegistry(FEATURE_VIEWS);
    const queries = new FeatureQueries(featureRegistry, new FeatureReader(new RedisRowStore(redis)), loadFeatureConfig(env).limits);

    const experiments = new ExperimentRegistry();
    const watch = new KvDefinitionWatch(await ensureKv(nc, EXPERIMENT_BUCKET, { replicas: 1, history: 64 }), experiments, logger, metrics);
    await watch.start(10_000);
    closers.push(() => watch.stop());

    const generate = await startCandidates(settings, jsm, nc, queries, metrics, logger, closers);
    const layouts = new Map(featureRegistry.views.map((v) => [v.name, layoutOf(viewToProto(v))]));
    const ranker = await demoRanker(settings.modelDir, layouts, new InProcessItemFeatures(queries), logger);

    const rec = loadRecommenderConfig(env);
    const fallbacks = new Map<string, number>();
    const pipeline = new RecommendPipeline({
      experiments: new InProcessExperiments(experiments),
      features: new InProcessUserFeatures(queries, featureRegistry.views.filter((v) => v.entity === "user").map((v) => v.name)),
      candidates: generate,
      ranking: new InProcessRanking(ranker.ranker),
      budget: new CandidateBudget(rec.candidates),
      surfaces: new Map(
        [...rec.surfaces].map((s) => [s, { filters: [new DuplicateItemsFilter(), new SeenItemsFilter(), new CategoryCapFilter(rec.maxPerCategory, rec.maxCount)] }]),
      ),
      minBudgetMs: rec.minBudgetMs,
      onFallback: (dependency) => fallbacks.set(dependency, (fallbacks.get(dependency) ?? 0) + 1),
    });
    closers.push(() => ranker.close());

    const queue = new RetryingQueue<PendingExposure>(publishExposure(new EventPublisher(jetstream(nc))), {
      capacity: rec.exposureQueue,
      concurrency: 64,
      initialRetryMs: 100,
      maxRetryMs: 5_000,
    });
    closers.push(() => queue.drain(5_000));
    const exposures = new ExposureLogger(queue, () => undefined);
    const limiter = new ConcurrencyLimiter(rec.maxConcurrency);
    return {
      recommend: (query) =>
        limiter.run(async () => {
          const r = await pipeline.recommend(query);
          exposures.run(r);
          return r;
        }),
      fallbacks,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The candidate service's index (from its snapshot, then the stream's tail through this floor's own durable), sources and generator. */
async function startCandidates(
  settings: InProcessSettings,
  jsm: JetStreamManager,
  nc: NatsConnection,
  queries: FeatureQueries,
  metrics: ServiceMetrics,
  logger: Logger,
  closers: (() => Promise<unknown> | void)[],
): Promise<InProcessCandidates> {
  const config = loadCandidateConfig({ NATS_URL: settings.natsUrl, RECMESH_CANDIDATE_SNAPSHOT_DIR: settings.candidateSnapshotDir });
  const info = await jsm.streams.info(EVENTS_STREAM);
  const stream = { name: EVENTS_STREAM, created: info.created, lastSequence: info.state.last_seq };
  const { index } = await loadIndex(new SnapshotStore(config.snapshot.dir), stream, config, logger);
  const indexer = new CandidateIndexer(
    jsm,
    jetstream(nc),
    index,
    new SerialGate(),
    { durable: FLOOR_DURABLE, inactiveThresholdMs: 60_000, dimension: config.ann.dimension },
    logger,
    metrics,
  );
  await indexer.start();
  closers.push(async () => {
    await indexer.stop();
    await jsm.consumers.delete(EVENTS_STREAM, FLOOR_DURABLE).catch(() => undefined);
  });
  await indexer.whenDelivered(stream.lastSequence);
  const s = config.sources;
  const registry = new SourceRegistry([
    { source: new EmbeddingAnnCandidateSource(index, new InProcessTastes(queries)), ...s.embeddingAnn },
    { source: new CoVisitationCandidateSource(index), ...s.coVisitation },
    { source: new PopularityCandidateSource(index, Date.now), ...s.popularity },
  ]);
  const generator = new CandidateGenerator(registry, index, { ...config.merge, weights: {} }, candidateMetrics(metrics));
  return new InProcessCandidates(generator, registry, config.limits);
}

