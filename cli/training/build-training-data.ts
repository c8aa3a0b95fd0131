import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { pino } from "pino";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { waitForConsumers } from "../../services/kit/events/consumer-lag.js";
import { EventPublisher } from "../../services/kit/events/event-publisher.js";
import { EVENTS_STREAM, SUBJECTS, interactionSubject } from "../../services/kit/events/subjects.js";
import { declareStreams } from "../../services/kit/events/topology.js";
import { startInfrastructure } from "../../services/kit/infra/infrastructure.js";
import { AGGREGATOR_DURABLE } from "../../services/feature/adapters/feature-aggregator.js";
import { loadFeatureConfig } from "../../services/feature/config.js";
import { startFeatureService } from "../../services/feature/main.js";
import { generateWorld, worldManifest, type WorldOptions } from "../../world/index.js";
import { publishAll } from "../publishing/publish-all.js";
import { Progress } from "../publishing/progress.js";
import { worldInteractionEvent, worldInteractionType, worldItemEvent } from "../seed/world-events.js";
import { labelExamples } from "./label-examples.js";
import { buildTrainingSet, writeTrainingSet, type TrainingSet } from "./training-set.js";

export interface TrainingDataOptions {
  world: WorldOptions;
  /** Days before the held-out slice whose interactions become labels. */
  labelDays: number;
  out: string;
  say: (line: string) => void;
  progress: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Builds the ranking training set with the serving code path: a private NATS +
 * Redis + feature service, the world's history up to the label window published
 * as events and projected by the real aggregator, features read as of the start
 * of the window (the service's clock pinned there), labels from what users did in it.
 */
export async function buildTrainingData(o: TrainingDataOptions): Promise<TrainingSet> {
  const world = generateWorld(o.world);
  const manifest = worldManifest(world);
  const labelTo = o.world.endTime - o.world.heldoutDays * DAY_MS;
  const labelFrom = labelTo - o.labelDays * DAY_MS;
  const history = world.interactions.filter((i) => i.occurredAt < labelFrom);
  o.say(`world ${manifest.fingerprint.slice(0, 16)}…: ${world.items.length} items, ${history.length} history events before the label window`);

  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-train-"));
  const infra = await startInfrastructure({ dataDir });
  const feature = await startFeatureService(
    loadFeatureConfig({ NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, RECMESH_FEATURE_PORT: "0", RECMESH_FEATURE_ADMIN_PORT: "0" }),
    { logger: pino({ level: "warn" }), clock: () => labelFrom },
  );
  const nc = await connect({ servers: infra.natsUrl });
  const progress = new Progress(o.progress);
  try {
    const jsm = await jetstreamManager(nc);
    await declareStreams(jsm, { replicas: 1, eventRetentionDays: 3650 });
    const publisher = new EventPublisher(jetstream(nc));
    await publishAll(
      publisher,
      EVENTS_STREAM,
      ItemUpsertedEvent,
      world.items.map((item) => {
        const message = worldItemEvent(o.world.seed, item);
        return { subject: SUBJECTS.itemUpserted, message, msgId: message.eventId };
      }),
      { bar: progress.bar("items", world.items.length) },
    );
    await publishAll(
      publisher,
      EVENTS_STREAM,
      InteractionEvent,
      history.map((i) => ({ subject: interactionSubject(worldInteractionType(i.type)), message: worldInteractionEvent(i), msgId: i.eventId })),
      { bar: progress.bar("history", history.length) },
    );
    progress.stop();
    let reported = Number.POSITIVE_INFINITY;
    await waitForConsumers(jsm, EVENTS_STREAM, {
      timeoutMs: 30 * 60_000,
      durables: [AGGREGATOR_DURABLE],
      onProgress: (left) => {
        if (left <= reported - 20_000) {
          reported = left;
          o.say(`aggregator: ${left} events left to project`);
        }
      },
    });

    const examples = labelExamples(world.interactions, world.items, {
      from: labelFrom,
      to: labelTo,
      popularNegatives: 3,
      uniformNegatives: 3,
      seed: o.world.seed,
    });
    const client = new FeatureServiceClient(`127.0.0.1:${feature.grpcPort}`, credentials.createInsecure());
    const set = await buildTrainingSet(client, examples);
    client.close();
    writeTrainingSet(o.out, set, { fingerprint: manifest.fingerprint, generatedAtEpochS: Math.floor(labelFrom / 1000), world: manifest.options });
    const positives = set.labels.reduce((n, l) => n + l, 0);
    o.say(`training set: ${set.rows} rows × ${set.width} features (${positives} positives, ${new Set(set.groups).size} queries) in ${o.out}`);
    return set;
  } finally {
    progress.stop();
    await nc.close();
    await feature.stop();
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
