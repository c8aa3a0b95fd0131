import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions, type NatsTarget } from "../../services/kit/events/nats-options.js";
import { EVENTS_STREAM, SUBJECTS } from "../../services/kit/events/subjects.js";
import { declareStreams } from "../../services/kit/events/topology.js";
import { describeSeed, seedWorld, type SeedReport, type SeedSettings } from "./seed-world.js";

/** item.upserted messages the EVENTS stream holds (declaring the streams first). */
export async function storedItemEvents(settings: Pick<SeedSettings, "nats" | "streams">): Promise<number> {
  const nc = await connect(natsConnectionOptions(settings.nats));
  try {
    const jsm = await jetstreamManager(nc);
    await declareStreams(jsm, settings.streams);
    const info = await jsm.streams.info(EVENTS_STREAM, { subjects_filter: SUBJECTS.itemUpserted });
    return info.state.subjects?.[SUBJECTS.itemUpserted] ?? 0;
  } finally {
    await nc.close();
  }
}

/**
 * Seeds the world when the store has no catalog yet (no item.upserted event in
 * EVENTS) and says what it did; leaves a store with a catalog alone. Returns
 * the report, or undefined when nothing was seeded.
 */
export async function seedIfEmpty(settings: SeedSettings, say: (line: string) => void): Promise<SeedReport | undefined> {
  const stored = await storedItemEvents(settings);
  if (stored > 0) {
    say(`world: the EVENTS stream already holds ${stored} item events; not seeding`);
    return undefined;
  }
  const w = settings.world;
  say(`world: the store is empty; seeding the synthetic world (seed ${w.seed}: ${w.items} items, ${w.users} users, ${w.days} days of history)…`);
  const report = await seedWorld(settings);
  for (const line of describeSeed(report)) say(line);
  return report;
}
