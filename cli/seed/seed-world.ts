import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions, type NatsTarget } from "../../services/kit/events/nats-options.js";
import { EventPublisher } from "../../services/kit/events/event-publisher.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import { EVENTS_STREAM, SUBJECTS, interactionSubject } from "../../services/kit/events/subjects.js";
import { declareStreams, type StreamSettings } from "../../services/kit/events/topology.js";
import { generateWorld, writeWorld, type WorldInteraction, type WorldItem, type WorldManifest, type WorldOptions } from "../../world/index.js";
import { publishAll, type OutgoingEvent } from "../publishing/publish-all.js";
import type { PublishTally } from "../publishing/publish-window.js";
import { Progress } from "../publishing/progress.js";
import { withoutStackTraces } from "../publishing/without-stack-traces.js";
import { worldInteractionEvent, worldInteractionType, worldItemEvent } from "./world-events.js";

export interface SeedSettings {
  nats: NatsTarget;
  streams: StreamSettings;
  world: WorldOptions;
  /** Where the ground truth is written. */
  dir: string;
  /** Publishes awaiting acks at most. */
  window?: number;
  progress?: boolean;
}

export interface SeedReport {
  manifest: WorldManifest;
  dir: string;
  generateMs: number;
  items: PublishTally;
  interactions: PublishTally;
  publishMs: number;
  /** Events acked per second over the whole publish. */
  eventsPerSecond: number;
}

function* itemEvents(seed: number, items: readonly WorldItem[]): Generator<OutgoingEvent<ItemUpsertedEvent>> {
  for (const item of items) {
    const message = worldItemEvent(seed, item);
    yield { subject: SUBJECTS.itemUpserted, message, msgId: message.eventId };
  }
}

function* interactionEvents(interactions: readonly WorldInteraction[]): Generator<OutgoingEvent<InteractionEvent>> {
  for (const interaction of interactions) {
    yield { subject: interactionSubject(worldInteractionType(interaction.type)), message: worldInteractionEvent(interaction), msgId: interaction.eventId };
  }
}

/** Ground-truth directory of a world: <data-dir>/world/<seed>. */
export function worldDir(dataDir: string, seed: number): string {
  return join(dataDir, "world", String(seed));
}

export interface PublishedWorld {
  items: PublishTally;
  interactions: PublishTally;
  publishMs: number;
}

/**
 * Publishes catalog items (ItemUpsertedEvent) and interactions (InteractionEvent)
 * of a world to the EVENTS stream with their deterministic msg ids: re-running
 * stores no duplicates within the stream's duplicate window.
 */
export async function publishWorldEvents(
  settings: Pick<SeedSettings, "nats" | "streams" | "window" | "progress">,
  seed: number,
  items: readonly WorldItem[],
  interactions: readonly WorldInteraction[],
): Promise<PublishedWorld> {
  const nc = await connect(natsConnectionOptions(settings.nats));
  const progress = new Progress(settings.progress ?? false);
  try {
    await declareStreams(await jetstreamManager(nc), settings.streams);
    const publisher = new EventPublisher(jetstream(nc));
    const publishStart = performance.now();
    const tallies = await withoutStackTraces(async () => ({
      items: await publishAll(publisher, EVENTS_STREAM, ItemUpsertedEvent, itemEvents(seed, items), {
        window: settings.window,
        bar: progress.bar("items", items.length),
      }),
      interactions: await publishAll(publisher, EVENTS_STREAM, InteractionEvent, interactionEvents(interactions), {
        window: settings.window,
        bar: progress.bar("interactions", interactions.length),
      }),
    }));
    return { ...tallies, publishMs: performance.now() - publishStart };
  } finally {
    progress.stop();
    await nc.drain();
  }
}

/**
 * Generates the world, writes its ground truth, then publishes every item and
 * every training interaction. Held-out interactions are never published.
 */
export async function seedWorld(settings: SeedSettings): Promise<SeedReport> {
  const generateStart = performance.now();
  const world = generateWorld(settings.world);
  const manifest = writeWorld(world, settings.dir);
  const generateMs = performance.now() - generateStart;
  const published = await publishWorldEvents(settings, settings.world.seed, world.items, world.interactions);
  const total = world.items.length + world.interactions.length;
  return { manifest, dir: settings.dir, generateMs, ...published, eventsPerSecond: total / (published.publishMs / 1000) };
}

/** One line per part of the report, for the console. */
export function describeSeed(report: SeedReport): string[] {
  const c = report.manifest.counts;
  const tally = (t: PublishTally) => `${t.stored} stored${t.duplicates > 0 ? `, ${t.duplicates} already in the stream` : ""}`;
  return [
    `world seed ${report.manifest.options.seed}: ${c.items} items, ${c.users} users, ${c.interactions} interactions over ${report.manifest.options.days - report.manifest.options.heldoutDays} days ` +
      `(+${c.heldout} held out from ${report.manifest.heldoutFrom}); generated in ${(report.generateMs / 1000).toFixed(1)} s`,
    `ground truth in ${report.dir} (fingerprint ${report.manifest.fingerprint.slice(0, 16)}…)`,
    `published items: ${tally(report.items)}; interactions: ${tally(report.interactions)}`,
    `publish: ${(report.publishMs / 1000).toFixed(1)} s, ${Math.round(report.eventsPerSecond)} events/s`,
  ];
}
