/**
 * What each gRPC layer adds to one unary call (not a test): Rank with N item ids
 * answered with N stored scores by grpc-js alone, by grpc-js with the kit's
 * handler adapter, by grpc-js with the kit's interceptors, and by the kit's
 * ServiceServer as the services run it (bench/grpc-layers-server.ts, its own
 * process, so client and server do not share an event loop). The client is a
 * kit channel (services/kit/grpc/client-factory.ts) calling through the kit's
 * unaryCall; one more row calls the ServiceServer through a grpc-js default
 * channel and the generated method directly, to show the client side's share.
 * The rows are called in rotation, one call each per round, so all see the same
 * background load. A second table times the ts-proto encoding and decoding of
 * the same request and answer in this process: the part of a call that grows
 * with the item count before HTTP/2 carries the bytes.
 *
 *   node --import tsx bench/grpc-layers.ts [--rounds 3000] [--items 1,500]
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as hdr from "hdr-histogram-js";
import { credentials, Metadata } from "@grpc/grpc-js";
import { RankingServiceClient, RankRequest, RankResponse } from "../gen/recmesh/ranking/v1/ranking_service.js";
import { createClient } from "../services/kit/grpc/client-factory.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import { LAYERS, type Layer } from "./grpc-layers-server.js";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "3000" }, items: { type: "string", default: "1,500" } } });
const ROUNDS = Number(args.rounds);
const ITEM_COUNTS = args.items.split(",").map(Number);
const WARM_UP_ROUNDS = 300;
const SERVER = fileURLToPath(new URL("./grpc-layers-server.ts", import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

async function startServer() {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, LOG_LEVEL: "warn" } });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.startsWith('{"layers"')) return { child, ports: (JSON.parse(line) as { layers: Record<Layer, number> }).layers };
  }
  throw new Error("the layer server exited before printing its ports");
}

/** Mean µs per call of f over `calls` calls, after as many warm-up calls. */
function meanMicros(f: () => unknown, calls = 20_000): number {
  for (let i = 0; i < calls; i++) f();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) f();
  return Number(process.hrtime.bigint() - started) / 1000 / calls;
}

function rankMessages(items: number) {
  return {
    request: RankRequest.create({ userId: "user-1", itemIds: Array.from({ length: items }, (_, i) => `item-${100_000 + i * 37}`) }),
    answer: RankResponse.create({ scores: Array.from({ length: items }, (_, i) => i / items), order: Array.from({ length: items }, (_, i) => i), executionProvider: "cpu" }),
  };
}

function codecRow(items: number): string {
  const { request, answer } = rankMessages(items);
  const requestBytes = RankRequest.encode(request).finish();
  const answerBytes = RankResponse.encode(answer).finish();
  const times = [
    meanMicros(() => RankRequest.encode(request).finish()),
    meanMicros(() => RankRequest.decode(requestBytes)),
    meanMicros(() => RankResponse.encode(answer).finish()),
    meanMicros(() => RankResponse.decode(answerBytes)),
  ];
  const total = times.reduce((a, b) => a + b, 0);
  return `| ${items} | ${requestBytes.length} | ${answerBytes.length} | ${times.map((t) => `${t.toFixed(1)} µs`).join(" | ")} | ${total.toFixed(1)} µs |`;
}

function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

const { child, ports } = await startServer();
const address = (layer: Layer) => `127.0.0.1:${ports[layer]}`;
const kitClients = LAYERS.map((layer) => ({ layer, client: createClient(RankingServiceClient, address(layer), { maxMessageBytes: 64 * 1024 * 1024 }) }));
const plainClient = new RankingServiceClient(address("kit ServiceServer (both)"), credentials.createInsecure());
const deadline = () => Date.now() + 5_000;
const plainRank = (request: RankRequest) =>
  new Promise<RankResponse>((resolve, reject) => plainClient.rank(request, new Metadata(), { deadline: deadline() }, (err, res) => (err ? reject(err) : resolve(res))));
const rows: { name: string; rank: (request: RankRequest) => Promise<RankResponse> }[] = [
  ...kitClients.map(({ layer, client }) => ({ name: layer, rank: (request: RankRequest) => unaryCall(client.rank.bind(client), request, { deadline: deadline() }) })),
  { name: "kit ServiceServer (both), grpc-js default channel, generated method called directly", rank: plainRank },
];

say(`gRPC layers, ${ROUNDS} rounds, ${new Date().toISOString()}`);
say("");
say("| items per call | layer | p50 | p99 | p50 above grpc-js alone |");
say("|---|---|---|---|---|");
try {
  for (const items of ITEM_COUNTS) {
    const { request } = rankMessages(items);
    for (let r = 0; r < WARM_UP_ROUNDS; r++) for (const row of rows) await row.rank(request);
    const histograms = rows.map(histogram);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, row] of rows.entries()) {
        const started = process.hrtime.bigint();
        const res = await row.rank(request);
        histograms[i]?.recordValue(Number(process.hrtime.bigint() - started) / 1000);
        if (res.scores.length !== items) throw new Error(`${row.name} answered ${res.scores.length} scores for ${items} items`);
      }
    }
    const floor = histograms[0]?.getValueAtPercentile(50) ?? 0;
    for (const [i, row] of rows.entries()) {
      const p50 = histograms[i]?.getValueAtPercentile(50) ?? 0;
      const above = p50 - floor;
      say(`| ${items} | ${row.name} | ${p50} µs | ${histograms[i]?.getValueAtPercentile(99)} µs | ${i === 0 ? "–" : `${above >= 0 ? "+" : ""}${above} µs (${(p50 / floor).toFixed(2)}×)`} |`);
    }
  }
  say("");
  say("| items per call | request bytes | answer bytes | request encode | request decode | answer encode | answer decode | all four |");
  say("|---|---|---|---|---|---|---|---|");
  for (const items of ITEM_COUNTS) say(codecRow(items));
} finally {
  [...kitClients.map((k) => k.client), plainClient].forEach((c) => c.close());
  child.kill("SIGTERM");
  await once(child, "exit");
}
