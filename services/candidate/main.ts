import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { CandidateServiceService } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { connectNats } from "../kit/events/nats-connection.js";
import { EVENTS_STREAM } from "../kit/events/subjects.js";
import { declareStreams } from "../kit/events/topology.js";
import { createClient } from "../kit/grpc/client-factory.js";
import { Dependency } from "../kit/grpc/dependency.js";
import { ServiceServer } from "../kit/grpc/service-server.js";
import { createRuntime, isEntryPoint, runAsMain } from "../kit/runtime.js";
import { CandidateIndexer } from "./adapters/candidate-indexer.js";
import { FeatureTasteClient } from "./adapters/feature-taste-client.js";
import { loadIndex } from "./adapters/index-loader.js";
import { SerialGate } from "./adapters/serial-gate.js";
import { SnapshotScheduler } from "./adapters/snapshot-scheduler.js";
import { SnapshotStore } from "./adapters/snapshot-store.js";
import { candidateMetrics } from "./candidate-metrics.js";
import { loadCandidateConfig, type CandidateConfig } from "./config.js";
import { CandidateGenerator } from "./domain/candidate-generator.js";
import { SourceRegistry, type SourceRegistration } from "./domain/source-registry.js";
import { candidateHandlers } from "./handlers.js";
import type { CandidateIndex } from "./index/candidate-index.js";
import { CoVisitationCandidateSource } from "./sources/co-visitation-candidate-source.js";
import { EmbeddingAnnCandidateSource } from "./sources/embedding-ann-candidate-source.js";
import { PopularityCandidateSource } from "./sources/popularity-candidate-source.js";
import type { TasteEmbeddings } from "./sources/taste-embeddings.js";

/** How long the server keeps the indexer durable of an instance that went away. */
const DURABLE_INACTIVE_MS = 24 * 3_600_000;

export interface CandidateServiceOptions {
  logger?: Logger;
  /** Clock for decayed scores (tests pin it). */
  clock?: () => number;
  /** Registered after the built-in sources, through the same list (tests add sources this way). */
  extraSources?: (index: CandidateIndex) => SourceRegistration[];
}

/** The candidate sources, each with its budget and default quota: a new source is one more entry here. */
function sourceRegistrations(config: CandidateConfig, index: CandidateIndex, tastes: TasteEmbeddings, clock: () => number): SourceRegistration[] {
  const s = config.sources;
  return [
    { source: new EmbeddingAnnCandidateSource(index, tastes), ...s.embeddingAnn },
    { source: new CoVisitationCandidateSource(index), ...s.coVisitation },
    { source: new PopularityCandidateSource(index, clock), ...s.popularity },
  ];
}

/** Composition root of the candidate service: NATS, the index (snapshot + indexer), the sources, then the gRPC server. */
export async function startCandidateService(config: CandidateConfig, options: CandidateServiceOptions = {}) {
  const runtime = await createRuntime(config.server, options);
  const { logger, metrics, lifecycle } = runtime;
  const clock = options.clock ?? Date.now;
  try {
    const nc = await connectNats(config.nats, "recmesh-candidate", logger);
    lifecycle.add("nats", () => nc.drain());
    const jsm = await jetstreamManager(nc);
    await declareStreams(jsm, config.streams);
    const info = await jsm.streams.info(EVENTS_STREAM);
    const stream = { name: EVENTS_STREAM, created: info.created, lastSequence: info.state.last_seq };

    const store = new SnapshotStore(config.snapshot.dir);
    const { index, vectors } = await loadIndex(store, stream, config, logger);
    const gate = new SerialGate();
    const snapshots = new SnapshotScheduler(store, index, vectors, gate, stream, config.snapshot.intervalMs, logger, metrics);
    lifecycle.add("snapshot", () => snapshots.stop());
    const indexer = new CandidateIndexer(
      jsm,
      jetstream(nc),
      index,
      gate,
      { durable: `candidate-indexer-${config.instance}`, inactiveThresholdMs: DURABLE_INACTIVE_MS, dimension: config.ann.dimension },
      logger,
      metrics,
    );
    await indexer.start();
    lifecycle.add("indexer", () => indexer.stop());
    snapshots.start();

    const featureClient = createClient(FeatureServiceClient, config.feature.address, config.server);
    lifecycle.add("feature client", () => featureClient.close());
    const featureDependency = new Dependency("feature", config.breaker, metrics, logger);
    lifecycle.add("feature breaker", () => featureDependency.shutdown());
    const tastes = new FeatureTasteClient(featureClient, featureDependency, config.feature.timeoutMs, config.ann.dimension);

    const registry = new SourceRegistry([...sourceRegistrations(config, index, tastes, clock), ...(options.extraSources?.(index) ?? [])]);
    const generator = new CandidateGenerator(registry, index, { ...config.merge, weights: {} }, candidateMetrics(metrics));

    const server = new ServiceServer({
      settings: config.server,
      logger,
      metrics,
      services: [
        {
          definition: CandidateServiceService,
          implementation: candidateHandlers({
            generator,
            registry,
            limits: config.limits,
            logger,
            defaultDeadlineMs: config.server.defaultDeadlineMs,
          }),
        },
      ],
    });
    await server.listen();
    lifecycle.add("grpc", () => server.drain());
    await indexer.whenDelivered(stream.lastSequence);
    logger.info({ sequence: index.lastSequence, items: vectors.size }, "candidate index caught up with the stream");
    server.markServing();
    return {
      grpcPort: server.grpcPort,
      adminPort: server.adminPort,
      index,
      indexer,
      snapshots,
      lifecycle,
      stop: () => lifecycle.shutdown(),
    };
  } catch (err) {
    await lifecycle.shutdown();
    throw err;
  }
}

// async, so a bad environment rejects (exit 2 with one line per variable) instead of throwing past runAsMain.
if (isEntryPoint(import.meta.url)) runAsMain(async () => startCandidateService(loadCandidateConfig()));
