/**
 * Two kit settings measured against their library defaults (not a test), each
 * pair interleaved in one process so both sides see the same background load;
 * CPU time of this process per operation, from process.cpuUsage():
 *
 *  - nats.js `noAsyncTraces` (services/kit/events/nats-connection.ts): a
 *    JetStream publish of an InteractionEvent, 64 in flight, with and without
 *    the two stack-capturing Errors nats.js builds per request by default;
 *  - opossum `rollingPercentilesEnabled` / `enableSnapshots`
 *    (services/kit/grpc/dependency.ts): one breaker call, at a given call rate
 *    and failure share, with and without the latency percentiles.
 *
 *   node --import tsx bench/kit-settings.ts [--rounds 40] [--rate 700]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import CircuitBreaker from "opossum";
import { InteractionType } from "../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../gen/recmesh/events/v1/interaction_event.js";
import { EventPublisher } from "../services/kit/events/event-publisher.js";
import { startInfrastructure } from "../services/kit/infra/infrastructure.js";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "40" }, rate: { type: "string", default: "700" } } });
const ROUNDS = Number(args.rounds);
const RATE = Number(args.rate);
const BATCH = 500;
const say = (line: string) => process.stdout.write(`${line}\n`);
const cpuMicros = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

async function natsAsyncTraces(natsUrl: string): Promise<void> {
  const admin = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(admin);
  await jsm.streams.add({ name: "BENCH_KIT", subjects: ["bench.kit.>"] });
  const publishers = {
    "default (async traces)": new EventPublisher(jetstream(await connect({ servers: natsUrl }))),
    noAsyncTraces: new EventPublisher(jetstream(await connect({ servers: natsUrl, noAsyncTraces: true }))),
  };
  const cpu = new Map<string, number>();
  let n = 0;
  const batch = async (publisher: EventPublisher) => {
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < BATCH; i++) {
      const id = `kit-${n++}`;
      const interaction = { eventId: id, userId: "u1", itemId: "i1", type: InteractionType.INTERACTION_TYPE_VIEW, occurredAt: new Date(), requestId: "", surface: "home", value: 0, attributes: {} };
      const p = publisher.publish("bench.kit.interaction", InteractionEvent, InteractionEvent.create({ eventId: id, receivedAt: new Date(), interaction }), { msgId: id });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 64) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };
  const entries = Object.entries(publishers);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, publisher] of round % 2 ? entries : [...entries].reverse()) {
      const before = process.cpuUsage();
      await batch(publisher);
      // The first rounds warm the JIT up and are not counted.
      if (round >= 4) cpu.set(name, (cpu.get(name) ?? 0) + cpuMicros(before));
    }
  }
  const counted = (ROUNDS - 4) * BATCH;
  for (const [name, micros] of cpu) say(`| JetStream publish, 64 in flight, nats.js ${name} | ${(micros / counted).toFixed(1)} µs | ${counted} |`);
  await jsm.streams.delete("BENCH_KIT");
  await admin.close();
}

async function breakerPercentiles(failEvery: number): Promise<void> {
  const breaker = (percentiles: boolean) =>
    new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
      timeout: false,
      errorThresholdPercentage: 50,
      resetTimeout: 2_000,
      volumeThreshold: 10,
      rollingCountTimeout: 10_000,
      rollingPercentilesEnabled: percentiles,
      enableSnapshots: percentiles,
    });
  const breakers = { "opossum default (percentiles, snapshots)": breaker(true), "percentiles and snapshots off": breaker(false) };
  const cpu = new Map<string, number>();
  let calls = 0;
  let n = 0;
  const ok = () => Promise.resolve(1);
  const failing = () => Promise.reject(new Error("DEADLINE_EXCEEDED"));
  // 12 s at RATE calls/s per breaker in 10 ms ticks: the 10 s window fills, then the last 6 s are counted.
  const end = Date.now() + 12_000;
  while (Date.now() < end) {
    const tick = Date.now();
    const counting = tick > end - 6_000;
    for (const [name, b] of Object.entries(breakers)) {
      const before = process.cpuUsage();
      for (let i = 0; i < RATE / 100; i++) await b.fire(++n % failEvery === 0 ? failing : ok).catch(() => undefined);
      if (counting) cpu.set(name, (cpu.get(name) ?? 0) + cpuMicros(before));
    }
    if (counting) calls += RATE / 100;
    await new Promise((r) => setTimeout(r, Math.max(0, 10 - (Date.now() - tick))));
  }
  for (const [name, micros] of cpu) say(`| breaker call, ${RATE}/s, 1 in ${failEvery} failing, ${name} | ${(micros / calls).toFixed(1)} µs | ${calls} |`);
  for (const b of Object.values(breakers)) b.shutdown();
}

const dataDir = mkdtempSync(join(tmpdir(), "recmesh-kit-bench-"));
const infra = await startInfrastructure({ dataDir });
try {
  say("| operation | CPU per operation | n |");
  say("|---|---|---|");
  await natsAsyncTraces(infra.natsUrl);
  await breakerPercentiles(20);
  await breakerPercentiles(4);
} finally {
  await infra.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
