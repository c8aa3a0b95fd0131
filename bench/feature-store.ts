/**
 * Feature store benchmark (not a test): GetFeatures for one user, StreamFeatures
 * for 500 items (on an open stream, and on a stream opened for the lookup), 500
 * unary lookups, and a raw Redis MGET of the same rows,
 * against real nats-server, redis-server and the feature service running as
 * its own process (as in the stack), so client and server do not share an
 * event loop.
 *
 *   node --import tsx bench/feature-store.ts [--iterations 2000] [--service-cpu-prof <dir>]
 *
 * --service-cpu-prof writes a V8 CPU profile of the service process to <dir>.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Metadata } from "@grpc/grpc-js";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Redis } from "ioredis";
import { InteractionType } from "../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../gen/recmesh/events/v1/item_upserted_event.js";
import { FeatureServiceClient, type StreamFeaturesResponse } from "../gen/recmesh/feature/v1/feature_service.js";
import { AGGREGATOR_DURABLE } from "../services/feature/adapters/feature-aggregator.js";
import { viewKeyPrefix } from "../services/feature/domain/row-store.js";
import { FeatureRegistry } from "../services/feature/registry/feature-registry.js";
import { FEATURE_VIEWS } from "../services/feature/registry/feature-views.js";
import { EventPublisher } from "../services/kit/events/event-publisher.js";
import { EVENTS_STREAM, interactionSubject, SUBJECTS } from "../services/kit/events/subjects.js";
import { declareStreams } from "../services/kit/events/topology.js";
import { createClient } from "../services/kit/grpc/client-factory.js";
import { checkHealth } from "../services/kit/grpc/health-client.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import { freePort } from "../services/kit/infra/free-port.js";
import { startInfrastructure } from "../services/kit/infra/infrastructure.js";
import { measureInterleaved } from "./interleaved-measure.js";

const { values: args } = parseArgs({
  options: { iterations: { type: "string", default: "2000" }, "service-cpu-prof": { type: "string" } },
});
const ITERATIONS = Number(args.iterations);
const ITEMS = 500;
const USERS = 50;
const INTERACTIONS = 5_000;
const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** A seeded unit vector, so runs are comparable. */
function embedding(seed: number): number[] {
  let x = seed * 2654435761;
  const v = Array.from({ length: 32 }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31 - 0.5;
  });
  const norm = Math.hypot(...v);
  return v.map((c) => c / norm);
}

async function seed(natsUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  await declareStreams(jsm, { replicas: 1, eventRetentionDays: 1 });
  const publisher = new EventPublisher(jetstream(nc));
  const now = Date.now();
  for (let i = 0; i < ITEMS; i++) {
    const event = ItemUpsertedEvent.fromPartial({
      eventId: `item-${i}`,
      item: { itemId: `i${i}`, category: `cat-${i % 12}`, embedding: embedding(i), available: true },
      occurredAt: new Date(now - 86_400_000),
    });
    await publisher.publish(SUBJECTS.itemUpserted, ItemUpsertedEvent, event, { msgId: event.eventId });
  }
  const types = [InteractionType.INTERACTION_TYPE_VIEW, InteractionType.INTERACTION_TYPE_VIEW, InteractionType.INTERACTION_TYPE_CLICK, InteractionType.INTERACTION_TYPE_PURCHASE];
  for (let n = 0; n < INTERACTIONS; n++) {
    const type = types[n % types.length] ?? InteractionType.INTERACTION_TYPE_VIEW;
    const at = new Date(now - (INTERACTIONS - n) * 10_000);
    const event = InteractionEvent.fromPartial({
      eventId: `e${n}`,
      interaction: { eventId: `e${n}`, userId: n % 5 === 0 ? "u-bench" : `u${n % USERS}`, itemId: `i${(n * 7) % ITEMS}`, type, occurredAt: at },
      receivedAt: at,
    });
    await publisher.publish(interactionSubject(type), InteractionEvent, event, { msgId: event.eventId });
  }
  const last = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
  for (;;) {
    const info = await jsm.consumers.info(EVENTS_STREAM, AGGREGATOR_DURABLE).catch(() => undefined);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= last) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await nc.drain();
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-bench-"));
  const infra = await startInfrastructure({ dataDir });
  const [grpcPort, adminPort] = [await freePort(), await freePort()];
  const profile = args["service-cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${args["service-cpu-prof"]}`] : [];
  const service = spawn(process.execPath, [...profile, "--import", "tsx", "services/feature/main.ts"], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, RECMESH_FEATURE_PORT: String(grpcPort), RECMESH_FEATURE_ADMIN_PORT: String(adminPort), LOG_LEVEL: "warn" },
  });
  const address = `127.0.0.1:${grpcPort}`;
  const client = createClient(FeatureServiceClient, address, { maxMessageBytes: 16 * 1024 * 1024 });
  const redis = new Redis(infra.redisUrl);
  try {
    while ((await checkHealth(address).catch(() => "DOWN")) !== "SERVING") await new Promise((r) => setTimeout(r, 100));
    say(`seeding ${ITEMS} items and ${INTERACTIONS} interactions through JetStream…`);
    await seed(infra.natsUrl);

    const registry = new FeatureRegistry(FEATURE_VIEWS);
    const content = registry.find("item_content");
    if (!content) throw new Error("no item_content view");
    const itemIds = Array.from({ length: ITEMS }, (_, i) => `i${i}`);
    const userFeatures = ["user_activity", "user_taste"].flatMap((v) => registry.find(v)?.features.map((f) => f.qualifiedName) ?? []);
    const deadline = () => Date.now() + 10_000;

    const [getOne] = await measureInterleaved(ITERATIONS, () =>
      unaryCall(client.getFeatures.bind(client), { entityIds: ["u-bench"], features: userFeatures }, { deadline: deadline() }),
    );

    const stream = client.streamFeatures(new Metadata());
    const waiting: ((r: StreamFeaturesResponse) => void)[] = [];
    stream.on("data", (r: StreamFeaturesResponse) => waiting.shift()?.(r));
    const lookup = (n: number) =>
      new Promise<StreamFeaturesResponse>((resolve, reject) => {
        waiting.push((r) => (r.block?.statuses.length === ITEMS ? resolve(r) : reject(new Error(`lookup ${n} failed: ${r.error?.message}`))));
        stream.write({ lookupId: String(n), view: content.name, entityIds: itemIds });
      });
    const lookupOnNewStream = () =>
      new Promise<void>((resolve, reject) => {
        const call = client.streamFeatures(new Metadata(), { deadline: deadline() });
        let rows = 0;
        call.on("data", (r: StreamFeaturesResponse) => (rows = r.block?.statuses.length ?? 0));
        call.on("error", reject);
        call.on("end", () => (rows === ITEMS ? resolve() : reject(new Error(`lookup on a new stream answered ${rows} rows`))));
        call.write({ lookupId: "0", view: content.name, entityIds: itemIds });
        call.end();
      });
    const keys = itemIds.map((id) => viewKeyPrefix(content) + id);
    let n = 0;
    const [streamed, raw, onNewStream] = await measureInterleaved(ITERATIONS, () => lookup(n++), () => redis.mgetBuffer(keys), lookupOnNewStream);
    stream.end();

    const unaryNames = content.features.map((f) => f.qualifiedName);
    const [unary500] = await measureInterleaved(Math.max(20, Math.round(ITERATIONS / 50)), () =>
      Promise.all(itemIds.map((id) => unaryCall(client.getFeatures.bind(client), { entityIds: [id], features: unaryNames }, { deadline: deadline() }))),
    );
    if (!getOne || !streamed || !raw || !onNewStream || !unary500) throw new Error("missing measurement");

    const us = (v: number) => `${(v / 1000).toFixed(3)} ms`;
    say("");
    say(`| measurement (${content.name}: ${content.width} float32 per item) | p50 | p99 | n |`);
    say("|---|---|---|---|");
    say(`| GetFeatures, 1 user, ${userFeatures.length} features (user_activity + user_taste) | ${us(getOne.p50)} | ${us(getOne.p99)} | ${getOne.n} |`);
    say(`| StreamFeatures, one lookup of ${ITEMS} items | ${us(streamed.p50)} | ${us(streamed.p99)} | ${streamed.n} |`);
    say(`| StreamFeatures, one lookup of ${ITEMS} items on a stream opened for it (as the ranking and the recommender call it) | ${us(onNewStream.p50)} | ${us(onNewStream.p99)} | ${onNewStream.n} |`);
    say(`| ${ITEMS} unary GetFeatures of 1 item each, all in flight at once | ${us(unary500.p50)} | ${us(unary500.p99)} | ${unary500.n} |`);
    say(`| raw Redis MGET of the same ${ITEMS} rows (ioredis mgetBuffer, interleaved with the two lines above) | ${us(raw.p50)} | ${us(raw.p99)} | ${raw.n} |`);
    say("");
    say(`streamed ${ITEMS}-item lookup / ${ITEMS} unary lookups (p50): ${(streamed.p50 / unary500.p50).toFixed(3)}`);
    say(`streamed ${ITEMS}-item lookup / raw MGET (p50): ${(streamed.p50 / raw.p50).toFixed(2)}x (target <= 2x and <= 1 ms p50)`);
    say(`the same lookup on a stream opened for it / raw MGET (p50): ${(onNewStream.p50 / raw.p50).toFixed(2)}x`);
  } finally {
    client.close();
    redis.disconnect();
    service.kill("SIGTERM");
    await new Promise((r) => service.once("exit", r));
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
