/**
 * Experiment assignment benchmark (not a test): the latency of Assign inside
 * the service (the in-memory domain call the handler makes) and through gRPC
 * on loopback against the experiment service running as its own process (as in
 * the stack), with 20 running experiments in 5 layers; then how long a
 * definition written straight into the KV bucket takes to be applied by the
 * running instance (timed until its WatchExperiments stream, which pushes only
 * what the registry has applied, delivers that revision).
 *
 *   node --import tsx bench/experiment-assign.ts [--calls 200000] [--rpcs 5000] [--changes 200]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import * as hdr from "hdr-histogram-js";
import { ConditionOperator, Experiment, ExperimentStatus } from "../gen/recmesh/experiment/v1/experiment.js";
import { ExperimentServiceClient } from "../gen/recmesh/experiment/v1/experiment_service.js";
import { toDefinition } from "../services/experiment/adapters/proto-mapping.js";
import { ExperimentSet } from "../services/experiment/domain/assigner.js";
import { EXPERIMENT_BUCKET } from "../services/kit/events/subjects.js";
import { createClient } from "../services/kit/grpc/client-factory.js";
import { checkHealth } from "../services/kit/grpc/health-client.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import { freePort } from "../services/kit/infra/free-port.js";
import { startInfrastructure } from "../services/kit/infra/infrastructure.js";

const { values: args } = parseArgs({
  options: { calls: { type: "string", default: "200000" }, rpcs: { type: "string", default: "5000" }, changes: { type: "string", default: "200" } },
});
const CALLS = Number(args.calls);
const RPCS = Number(args.rpcs);
const CHANGES = Number(args.changes);
const LAYERS = 5;
const PER_LAYER = 4;
const USERS = 100_000;
const ATTRIBUTES = { device: "ios", country: "DE", surface: "home" };
const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** 5 layers × 4 experiments, each owning a quarter of its layer; every other one targets a device. */
function definitions(): Experiment[] {
  return Array.from({ length: LAYERS * PER_LAYER }, (_, n) => {
    const layer = Math.floor(n / PER_LAYER);
    const slot = n % PER_LAYER;
    return Experiment.fromPartial({
      name: `bench-l${layer}-e${slot}`,
      layer: `layer-${layer}`,
      layerRange: { start: slot / PER_LAYER, end: (slot + 1) / PER_LAYER },
      variants: [
        { name: "control", weight: 0.5, params: { ranking_model: "baseline", "candidate_quota.ann": "200" } },
        { name: "b", weight: 0.3, params: { ranking_model: "ctr-mlp", "candidate_quota.ann": "300" } },
        { name: "c", weight: 0.2, params: { ranking_model: "ctr-mlp-v2", "candidate_quota.ann": "300" } },
      ],
      controlVariant: "control",
      coverage: 0.8,
      targeting: n % 2 === 0 ? [{ attribute: "device", operator: ConditionOperator.CONDITION_OPERATOR_IN, values: ["ios", "android"] }] : [],
      forcedVariants: { "qa-1": "b" },
      status: ExperimentStatus.EXPERIMENT_STATUS_RUNNING,
    });
  });
}

function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
}

type Histogram = ReturnType<typeof histogram>;
const fmtUs = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;
const row = (label: string, h: Histogram, n: number) =>
  say(`| ${label} | ${fmtUs(h.getValueAtPercentile(50))} | ${fmtUs(h.getValueAtPercentile(99))} | ${fmtUs(h.getValueAtPercentile(99.9))} | ${fmtUs(h.maxValue)} | ${n} |`);

/** Each domain call timed on its own with hrtime (the timer itself costs a few tens of ns, included). */
function measureDomain(set: ExperimentSet): { latency: Histogram; assignedPerCall: number } {
  const now = Date.now();
  for (let i = 0; i < 50_000; i++) set.assign(`user-${i % USERS}`, ATTRIBUTES, now);
  const latency = histogram();
  let assigned = 0;
  for (let i = 0; i < CALLS; i++) {
    const user = `user-${(i * 7919) % USERS}`;
    const start = process.hrtime.bigint();
    const out = set.assign(user, ATTRIBUTES, now);
    latency.recordValue(Number(process.hrtime.bigint() - start));
    assigned += out.length;
  }
  return { latency, assignedPerCall: assigned / CALLS };
}

async function measureRpc(client: ExperimentServiceClient, inFlight: number): Promise<{ latency: Histogram; perSecond: number }> {
  const call = (i: number) =>
    unaryCall(client.assign.bind(client), { userId: `user-${(i * 7919) % USERS}`, context: { attributes: ATTRIBUTES }, experiments: [] }, { deadline: Date.now() + 10_000 });
  for (let i = 0; i < 1_000; i++) await call(i);
  const latency = histogram();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < RPCS) {
        const i = next++;
        const start = process.hrtime.bigint();
        await call(i);
        latency.recordValue(Number(process.hrtime.bigint() - start));
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { latency, perSecond: RPCS / seconds };
}

/**
 * KV put → the running instance has applied it: each change is a coverage
 * flip of one experiment, timed from just before kv.put until the watch
 * stream delivers the revision the put returned. One change at a time.
 */
async function measurePropagation(client: ExperimentServiceClient, natsUrl: string, base: Experiment): Promise<Histogram> {
  const nc = await connect({ servers: natsUrl });
  const kv = await new Kvm(nc).open(EXPERIMENT_BUCKET);
  const watch = client.watchExperiments({ includeCurrent: false });
  // The push can arrive before kv.put resolves, so arrivals are kept by revision.
  const arrivals = new Map<string, bigint>();
  let onArrival = () => {};
  watch.on("data", (m: { revision: string }) => {
    arrivals.set(m.revision, process.hrtime.bigint());
    onArrival();
  });
  watch.on("error", () => undefined);
  const latency = histogram();
  try {
    for (let i = 0; i < CHANGES; i++) {
      const changed = Experiment.encode({ ...base, coverage: i % 2 === 0 ? 0.5 : 0.8 }).finish();
      const start = process.hrtime.bigint();
      const revision = String(await kv.put(base.name, changed));
      const giveUp = Date.now() + 10_000;
      while (!arrivals.has(revision)) {
        if (Date.now() > giveUp) throw new Error(`revision ${revision} was not applied within 10 s`);
        await new Promise<void>((resolve) => {
          onArrival = resolve;
          setTimeout(resolve, 100);
        });
      }
      latency.recordValue(Number((arrivals.get(revision) ?? start) - start));
    }
  } finally {
    watch.cancel();
    await nc.close();
  }
  return latency;
}

async function main(): Promise<void> {
  const protos = definitions();
  const domain = measureDomain(new ExperimentSet(protos.map(toDefinition)));

  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-bench-"));
  const infra = await startInfrastructure({ dataDir });
  const [grpcPort, adminPort] = [await freePort(), await freePort()];
  const service = spawn(process.execPath, ["--import", "tsx", "services/experiment/main.ts"], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, RECMESH_EXPERIMENT_PORT: String(grpcPort), RECMESH_EXPERIMENT_ADMIN_PORT: String(adminPort), LOG_LEVEL: "warn" },
  });
  const address = `127.0.0.1:${grpcPort}`;
  const client = createClient(ExperimentServiceClient, address, { maxMessageBytes: 16 * 1024 * 1024 });
  try {
    while ((await checkHealth(address).catch(() => "DOWN")) !== "SERVING") await new Promise((r) => setTimeout(r, 100));
    // The channel may still be backing off from a connect attempt made before the server listened.
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())));
    for (const e of protos) await unaryCall(client.putExperiment.bind(client), { experiment: e, expectedRevision: "0" }, { deadline: Date.now() + 10_000 });
    const sequential = await measureRpc(client, 1);
    const concurrent = await measureRpc(client, 32);
    const propagation = await measurePropagation(client, infra.natsUrl, protos[0] as Experiment);

    say("");
    say(`${LAYERS * PER_LAYER} running experiments in ${LAYERS} layers (3 variants, coverage 0.8, half targeted); ${domain.assignedPerCall.toFixed(2)} assignments per call on average`);
    say(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    say("");
    say("| measurement | p50 | p99 | p99.9 | max | n |");
    say("|---|---|---|---|---|---|");
    row("domain call inside the service (ExperimentSet.assign)", domain.latency, CALLS);
    row("Assign over gRPC on loopback, 1 in flight", sequential.latency, RPCS);
    row("Assign over gRPC on loopback, 32 in flight", concurrent.latency, RPCS);
    row("definition put into KV → applied by the running instance (its WatchExperiments push)", propagation, CHANGES);
    say("");
    say(`throughput over gRPC: ${sequential.perSecond.toFixed(0)} calls/s with 1 in flight, ${concurrent.perSecond.toFixed(0)} calls/s with 32 in flight`);
  } finally {
    client.close();
    service.kill("SIGTERM");
    await new Promise((r) => service.once("exit", r));
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
