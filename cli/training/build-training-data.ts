import { credentials } from "@grpc/grpc-js";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { generateWorld, worldManifest, type WorldOptions } from "../../world/index.js";
import { InProcessStack } from "../local/in-process-stack.js";
import { publishWorldEvents } from "../seed/seed-world.js";
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

  const stack = new InProcessStack({ services: ["feature"], featureClock: () => labelFrom });
  await stack.startInfrastructure();
  await stack.startServices();
  try {
    await publishWorldEvents(
      { nats: stack.infra.natsUrl, streams: { replicas: 1, eventRetentionDays: 30 }, progress: o.progress },
      o.world.seed,
      world.items,
      history,
    );
    let reported = Number.POSITIVE_INFINITY;
    await stack.waitForProjections(30 * 60_000, (left) => {
      if (left <= reported - 20_000) {
        reported = left;
        o.say(`aggregator: ${left} events left to project`);
      }
    });

    const examples = labelExamples(world.interactions, world.items, {
      from: labelFrom,
      to: labelTo,
      popularNegatives: 3,
      uniformNegatives: 3,
      seed: o.world.seed,
    });
    const client = new FeatureServiceClient(stack.addresses.feature, credentials.createInsecure());
    const set = await buildTrainingSet(client, examples);
    client.close();
    writeTrainingSet(o.out, set, { fingerprint: manifest.fingerprint, generatedAtEpochS: Math.floor(labelFrom / 1000), world: manifest.options });
    const positives = set.labels.reduce((n, l) => n + l, 0);
    o.say(`training set: ${set.rows} rows × ${set.width} features (${positives} positives, ${new Set(set.groups).size} queries) in ${o.out}`);
    return set;
  } finally {
    await stack.stop();
  }
}
