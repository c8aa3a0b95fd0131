import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import { Redis } from "ioredis";
import { z } from "zod";
import { natsConfigShape, redisConfigShape } from "../../services/kit/config/common-config.js";
import { loadConfig } from "../../services/kit/config/load-config.js";
import { natsSettings } from "../../services/kit/config/nats-config.js";
import { redisSettings } from "../../services/kit/config/redis-config.js";
import { natsConnectionOptions } from "../../services/kit/events/nats-options.js";
import { redisSecurityOptions } from "../../services/kit/stores/redis-connection.js";
import { declareStreams } from "../../services/kit/events/topology.js";
import { FeatureEventDecoder } from "../../services/feature/adapters/event-decoder.js";
import { FeatureKeyspace } from "../../services/feature/adapters/redis-keyspace.js";
import { RedisRowStore } from "../../services/feature/adapters/redis-row-store.js";
import { FeatureProjector } from "../../services/feature/domain/feature-projector.js";
import { FeatureRegistry } from "../../services/feature/registry/feature-registry.js";
import { EMBEDDING_DIM, FEATURE_VIEWS } from "../../services/feature/registry/feature-views.js";
import { replayProjection } from "../../services/feature/replay/replay-projection.js";

interface ReplayCliOptions {
  natsUrl?: string;
  redisUrl?: string;
  flush: boolean;
  force: boolean;
  batch: string;
  progress: boolean;
}

export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description("rebuild the feature store (Redis) from the JetStream event history; stop the feature service first")
    .option("--nats-url <url>", "NATS with JetStream (default: NATS_URL or nats://127.0.0.1:4222)")
    .option("--redis-url <url>", "Redis of the feature store (default: REDIS_URL or redis://127.0.0.1:6379)")
    .option("--flush", "delete the existing feature rows (keys feat:*) first; without it Redis must hold none", false)
    .option("--force", "replay even though the feature aggregator looks active", false)
    .option("--batch <events>", "events applied per Redis round trip", "512")
    .option("--no-progress", "no progress bar (logs, CI)")
    .action((options: ReplayCliOptions) => runReplay(options));
}

async function runReplay(options: ReplayCliOptions): Promise<void> {
  const env = loadConfig(z.object({ ...natsConfigShape, ...redisConfigShape }), {
    ...process.env,
    ...(options.natsUrl ? { NATS_URL: options.natsUrl } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
  });
  const batchSize = Number(options.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch must be a positive integer (got "${options.batch}")`);
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: "recmesh-replay", ...redisSecurityOptions(redisSettings(env)) });
  await redis.connect();
  const nc = await connect({ ...natsConnectionOptions(natsSettings(env)), name: "recmesh-replay" });
  const bar = new SingleBar({ format: "replay [{bar}] {percentage}% | {value}/{total} events | {eta_buffer}s left", etaBuffer: 2000 }, Presets.shades_classic);
  let barStarted = false;
  try {
    const jsm = await jetstreamManager(nc);
    await declareStreams(jsm, { replicas: env.RECMESH_STREAM_REPLICAS, eventRetentionDays: env.RECMESH_EVENT_RETENTION_DAYS });
    const registry = new FeatureRegistry(FEATURE_VIEWS);
    const summary = await replayProjection({
      js: jetstream(nc),
      jsm,
      keyspace: new FeatureKeyspace(redis),
      decoder: new FeatureEventDecoder(registry, EMBEDDING_DIM),
      projector: new FeatureProjector(registry, new RedisRowStore(redis)),
      flush: options.flush,
      force: options.force,
      batchSize,
      onFlushed: (deleted) => say(`flushed ${deleted} feature rows`),
      onProgress: (done, total) => {
        if (!options.progress) return;
        if (!barStarted) bar.start(total, 0);
        barStarted = true;
        bar.update(done);
      },
    });
    if (barStarted) bar.stop();
    barStarted = false;
    say(
      `replayed ${summary.messages} events through sequence ${summary.lastSequence}: ${summary.applied} applied, ` +
        `${summary.ignored} not feature events, ${summary.poison} poison skipped; ${summary.rowsWritten} rows written`,
    );
  } finally {
    if (barStarted) bar.stop();
    await nc.drain();
    redis.disconnect();
  }
}
