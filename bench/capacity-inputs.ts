/**
 * Storage inputs of the capacity plan (mesh/CAPACITY.md), measured, not a test:
 * seeds the default world (seed 42, as the suite does) through JetStream into
 * the experiment, feature and candidate services (in this process, with real
 * nats-server and redis-server on free ports), then reports
 *   - JetStream bytes per stored event, per kind: the world's item upserts and
 *     interactions, then exposures and Track-shaped interactions published
 *     through the recommender's own code (publishExposure, InteractionPublisher),
 *     each as Δ stream bytes ÷ Δ messages;
 *   - nats-server and redis-server CPU per world interaction while it is
 *     stored and applied by the three projections;
 *   - Redis `MEMORY USAGE` of every key (not a sample) by feature view and by
 *     experiment-analysis key, and `used_memory` grown per key;
 *   - the candidate service's snapshot (HNSW vectors and state) per item.
 *
 *   node --import tsx bench/capacity-inputs.ts [--preset default] [--seed 42] [--track 20000] [--exposures 20000]
 */
import { randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Redis } from "ioredis";
import { InProcessStack } from "../cli/local/in-process-stack.js";
import { publishWorldEvents } from "../cli/seed/seed-world.js";
import { ANALYZER_DURABLE } from "../services/experiment/adapters/exposure-analyzer.js";
import { AGGREGATOR_DURABLE } from "../services/feature/adapters/feature-aggregator.js";
import { InteractionPublisher } from "../services/recommender/adapters/interaction-publisher.js";
import { exposuresOf, publishExposure } from "../services/recommender/adapters/exposure-logger.js";
import type { Recommendation } from "../services/recommender/pipeline/recommend-pipeline.js";
import { validateInteraction } from "../services/recommender/tracking/interaction.js";
import { EventPublisher } from "../services/kit/events/event-publisher.js";
import { waitForConsumers } from "../services/kit/events/consumer-lag.js";
import { EVENTS_STREAM } from "../services/kit/events/subjects.js";
import { generateWorld, resolveWorldOptions, worldEndForNow, type WorldPreset } from "../world/index.js";
import { measureCpu } from "./suite/process-cpu.js";

const { values: args } = parseArgs({
  options: {
    preset: { type: "string", default: "default" },
    seed: { type: "string", default: "42" },
    track: { type: "string", default: "20000" },
    exposures: { type: "string", default: "20000" },
  },
});
const STREAMS = { replicas: 1, eventRetentionDays: 30 };
/** Publishes in flight while sending Track-shaped events and exposures. */
const WINDOW = 256;
/** Items per recommendation list in an exposure (the load tests' and the suite's COUNT). */
const LIST_LENGTH = 20;
const say = (line: string) => process.stdout.write(`${line}\n`);
const fixed = (v: number, digits = 1) => v.toFixed(digits);

interface StreamState {
  messages: number;
  bytes: number;
}

async function streamState(jsm: JetStreamManager): Promise<StreamState> {
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  return { messages: state.messages, bytes: state.bytes };
}

/** Bytes per message stored between two states of the stream. */
function perMessage(before: StreamState, after: StreamState): { messages: number; bytesPerMessage: number } {
  const messages = after.messages - before.messages;
  return { messages, bytesPerMessage: messages > 0 ? (after.bytes - before.bytes) / messages : 0 };
}

/** Runs `count` publishes with at most WINDOW in flight. */
async function publishWindowed(count: number, publishOne: (n: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await publishOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, count) }, worker));
}

interface KeyGroup {
  type: string;
  keys: number;
  memoryUsage: number;
  /** String bytes (STRLEN) for strings, fields or members (HLEN, SCARD) for hashes and sets. */
  size: number;
  withTtl: number;
}

/** A key's group: its feature view (`feat:<view>:v<n>`), otherwise the key with its hash tag and ids elided. */
function groupOf(key: string): string {
  const view = /^feat:[^:]+:v\d+:/.exec(key);
  if (view) return view[0].slice(0, -1);
  return key.replace(/\{[^}]*\}/, "{…}").replace(/:(exposed|converted):.*$/, ":$1:<variant>");
}

/** Every key in Redis by group: MEMORY USAGE (SAMPLES 0: every element), TYPE, PTTL, and STRLEN / HLEN / SCARD. */
async function redisKeyGroups(redis: Redis): Promise<Map<string, KeyGroup>> {
  const groups = new Map<string, KeyGroup>();
  const value = (r: [Error | null, unknown] | undefined) => r?.[1];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const first = redis.pipeline();
    for (const key of keys) first.call("MEMORY", "USAGE", key, "SAMPLES", "0").type(key).pttl(key);
    const described = (await first.exec()) ?? [];
    const types = keys.map((_, i) => String(value(described[3 * i + 1])));
    const second = redis.pipeline();
    keys.forEach((key, i) => (types[i] === "hash" ? second.hlen(key) : types[i] === "set" ? second.scard(key) : second.strlen(key)));
    const sizes = (await second.exec()) ?? [];
    keys.forEach((key, i) => {
      const name = groupOf(key);
      const group = groups.get(name) ?? { type: types[i] ?? "", keys: 0, memoryUsage: 0, size: 0, withTtl: 0 };
      group.keys++;
      group.memoryUsage += Number(value(described[3 * i]) ?? 0);
      group.size += Number(value(sizes[i]) ?? 0);
      if (Number(value(described[3 * i + 2]) ?? -1) > 0) group.withTtl++;
      groups.set(name, group);
    });
  } while (cursor !== "0");
  return groups;
}

function totals(groups: Map<string, KeyGroup>): { keys: number; memoryUsage: number } {
  return [...groups.values()].reduce((t, g) => ({ keys: t.keys + g.keys, memoryUsage: t.memoryUsage + g.memoryUsage }), { keys: 0, memoryUsage: 0 });
}

function printGroups(groups: Map<string, KeyGroup>): void {
  say("| key group | type | keys | MEMORY USAGE per key | string bytes or elements per key | MEMORY USAGE per element | keys with a TTL |");
  say("|---|---|---|---|---|---|---|");
  for (const [name, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const perElement = g.type === "string" ? "–" : fixed(g.memoryUsage / g.size);
    say(`| ${name} | ${g.type} | ${g.keys.toLocaleString("en-US")} | ${fixed(g.memoryUsage / g.keys)} | ${fixed(g.size / g.keys)} | ${perElement} | ${g.withTtl.toLocaleString("en-US")} |`);
  }
}

async function usedMemory(redis: Redis): Promise<{ used: number; dataset: number }> {
  const info = await redis.info("memory");
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return { used: field("used_memory"), dataset: field("used_memory_dataset") };
}

/** Sizes of the files in the current candidate snapshot directory, by file name. */
function snapshotFiles(dir: string): Record<string, number> {
  const current = readdirSync(dir).find((e) => e.startsWith("snapshot-") && !e.endsWith(".tmp"));
  if (!current) throw new Error(`no candidate snapshot in ${dir}`);
  return Object.fromEntries(readdirSync(join(dir, current)).map((f) => [f, statSync(join(dir, current, f)).size]));
}

async function main(): Promise<void> {
  const world = resolveWorldOptions({ preset: args.preset as WorldPreset, seed: Number(args.seed), endTime: worldEndForNow() });
  const generated = generateWorld(world);
  const trackEvents = Number(args.track);
  const exposureEvents = Number(args.exposures);
  say(`capacity inputs: world ${args.preset} seed ${world.seed} (${generated.items.length} items, ${generated.users.length} users, ${generated.interactions.length} interactions); load average ${loadavg().map((l) => fixed(l, 2)).join(" ")}`);

  const stack = new InProcessStack({ services: ["experiment", "feature", "candidate"] });
  await stack.startInfrastructure();
  await stack.startServices();
  const nc = await connect({ servers: stack.infra.natsUrl });
  const redis = new Redis(stack.infra.redisUrl);
  try {
    const jsm = await jetstreamManager(nc);
    const seedSettings = { nats: stack.infra.natsUrl, streams: STREAMS, progress: false };
    await publishWorldEvents(seedSettings, world.seed, [], []);
    const memoryBefore = await usedMemory(redis);
    const empty = await streamState(jsm);

    await publishWorldEvents(seedSettings, world.seed, generated.items, []);
    const afterItems = await streamState(jsm);
    const cpu = measureCpu({ "nats-server": stack.infra.nats?.process.pid, "redis-server": stack.infra.redis?.process.pid });
    const started = performance.now();
    await publishWorldEvents(seedSettings, world.seed, [], generated.interactions);
    const afterInteractions = await streamState(jsm);
    await stack.waitForProjections();
    const seedCpu = cpu.stop();
    const seedSeconds = (performance.now() - started) / 1000;

    const seeded = await redisKeyGroups(redis);
    const memorySeeded = await usedMemory(redis);
    await stack.stopService("candidate");
    const snapshot = snapshotFiles(join(stack.dataDir, "candidate"));

    // Exposures as the recommender logs them: one per (request, experiment), a list of 20 items, one experiment assignment.
    const publisher = new EventPublisher(jetstream(nc));
    const userIds = generated.users.map((u) => u.id);
    const itemIds = generated.items.map((i) => i.id);
    const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;
    const publishOne = publishExposure(publisher);
    await publishWindowed(exposureEvents, async (n) => {
      const recommendation: Recommendation = {
        requestId: randomUUID(),
        userId: pick(userIds, n),
        surface: "home",
        items: Array.from({ length: LIST_LENGTH }, (_, k) => ({ itemId: pick(itemIds, n * 31 + k * 997), retrievalScore: 0, sources: [], category: "", score: 0 })),
        assignments: [{ experiment: "ranking-model", variant: n % 2 === 0 ? "control" : "treatment", layer: "ranking", params: { ranking_model: "ctr-mlp" }, forced: false, bucket: (n % 1000) / 1000 }],
        model: { name: "ctr-mlp", version: "1" },
        degraded: [],
        stages: [],
        sources: [],
        featuresUsed: [],
        ranked: [],
      };
      for (const e of exposuresOf(recommendation, new Date())) await publishOne(e);
    });
    const afterExposures = await streamState(jsm);

    // Track-shaped interactions as the recommender's Track stores them (load test shape: request id, surface, occurred_at set).
    const interactions = new InteractionPublisher(publisher, () => true);
    const limits = { maxFutureSkewMs: 60_000, maxAgeMs: 30 * 86_400_000, maxIdLength: 128 };
    await publishWindowed(trackEvents, (n) =>
      interactions.publish(
        validateInteraction(
          {
            eventId: "",
            userId: pick(userIds, n),
            itemId: pick(itemIds, n * 7919),
            kind: n % 4 === 0 ? "click" : "view",
            occurredAt: new Date(),
            requestId: randomUUID(),
            surface: "home",
            value: 0,
            attributes: {},
          },
          limits,
          "interaction",
        ),
      ),
    );
    const afterTrack = await streamState(jsm);
    await waitForConsumers(jsm, EVENTS_STREAM, { timeoutMs: 5 * 60_000, durables: [AGGREGATOR_DURABLE, ANALYZER_DURABLE] });
    const final = await redisKeyGroups(redis);

    say("");
    say("JetStream EVENTS stream (file storage, R1; Δ state.bytes ÷ Δ messages):");
    say("| events | messages | bytes per message |");
    say("|---|---|---|");
    const row = (label: string, r: { messages: number; bytesPerMessage: number }) => say(`| ${label} | ${r.messages.toLocaleString("en-US")} | ${fixed(r.bytesPerMessage)} |`);
    row("ItemUpsertedEvent (world catalog: 32-dim embedding, tags, attributes)", perMessage(empty, afterItems));
    row("InteractionEvent (world history)", perMessage(afterItems, afterInteractions));
    row(`ExposureEvent through publishExposure (${LIST_LENGTH} items, 1 assignment)`, perMessage(afterInteractions, afterExposures));
    row("InteractionEvent through the recommender's InteractionPublisher (Track shape)", perMessage(afterExposures, afterTrack));
    say(`stream total: ${afterTrack.messages.toLocaleString("en-US")} messages, ${afterTrack.bytes.toLocaleString("en-US")} bytes`);

    const events = afterInteractions.messages - afterItems.messages;
    say("");
    say(`CPU while ${events.toLocaleString("en-US")} world interactions were stored and applied by the feature, candidate and experiment projections (${fixed(seedSeconds)} s, load average at the end ${fixed(loadavg()[0] ?? 0, 2)}):`);
    for (const [name, cores] of Object.entries(seedCpu.cores)) {
      say(`- ${name}: ${fixed(cores, 2)} cores, ${fixed((cores * seedCpu.windowMs * 1000) / events, 1)} µs CPU per event`);
    }

    say("");
    say("Redis after the world was applied (every key):");
    printGroups(seeded);
    const seededTotals = totals(seeded);
    const grown = memorySeeded.used - memoryBefore.used;
    say(
      `used_memory grew ${grown.toLocaleString("en-US")} bytes for ${seededTotals.keys.toLocaleString("en-US")} keys: ${fixed(grown / seededTotals.keys)} bytes per key, ` +
        `of which ${fixed((grown - seededTotals.memoryUsage) / seededTotals.keys)} not in MEMORY USAGE (hash-table buckets, expires entries)`,
    );
    say("");
    say(`Redis after ${exposureEvents.toLocaleString("en-US")} exposures and ${trackEvents.toLocaleString("en-US")} Track events were applied (every key):`);
    printGroups(final);

    say("");
    const items = generated.items.length;
    say(`candidate snapshot (${items.toLocaleString("en-US")} items, ${generated.users.length.toLocaleString("en-US")} users):`);
    for (const [file, bytes] of Object.entries(snapshot)) say(`- ${file}: ${bytes.toLocaleString("en-US")} bytes, ${fixed(bytes / items)} bytes per item`);
  } finally {
    redis.disconnect();
    await nc.close();
    await stack.stop();
  }
}

await main();
