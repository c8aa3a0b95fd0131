/**
 * The stack the candidate benchmarks run on: real nats-server and
 * redis-server, the feature service and the candidate service each in its own
 * process (as `recmesh stack` runs them, so the benchmark client never shares
 * their event loop), and the synthetic world seeded through JetStream.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { CandidateServiceClient } from "../gen/recmesh/candidate/v1/candidate_service.js";
import { seedWorld, type SeedReport } from "../cli/seed/seed-world.js";
import { AGGREGATOR_DURABLE } from "../services/feature/adapters/feature-aggregator.js";
import { EVENTS_STREAM } from "../services/kit/events/subjects.js";
import { createClient } from "../services/kit/grpc/client-factory.js";
import { checkHealth } from "../services/kit/grpc/health-client.js";
import { freePort } from "../services/kit/infra/free-port.js";
import { startInfrastructure } from "../services/kit/infra/infrastructure.js";
import type { WorldOptions } from "../world/index.js";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const CANDIDATE_INSTANCE = "bench";
const STREAMS = { replicas: 1, eventRetentionDays: 30 };

export const say = (line: string) => process.stdout.write(`${line}\n`);

export interface BenchStack {
  client: CandidateServiceClient;
  seed: SeedReport;
  /** Where the world's ground truth was written. */
  worldDir: string;
  candidateAdminPort: number;
  natsUrl: string;
  /** host:port of the feature service. */
  featureAddress: string;
  /** Process ids of the servers and services running now, by name. */
  pids(): Record<string, number | undefined>;
  /**
   * Stops the candidate service (it saves its snapshot on the way out) and
   * starts it again, from that snapshot or, with `fresh`, as a new instance
   * with no snapshot that replays the whole stream. Milliseconds for each.
   */
  restartCandidate(options: { fresh: boolean }): Promise<{ stopMs: number; startMs: number }>;
  stop(): Promise<void>;
}

/** A service of this repository in its own process, logging warnings only. */
export function startService(name: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", `services/${name}/main.ts`], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
  });
}

export async function untilServing(address: string): Promise<void> {
  while ((await checkHealth(address).catch(() => "DOWN")) !== "SERVING") await new Promise((r) => setTimeout(r, 100));
}

/** Waits until both projections (feature aggregator, candidate indexer) have handled the whole stream. */
async function untilCaughtUp(natsUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const last = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    for (const durable of [AGGREGATOR_DURABLE, `candidate-indexer-${CANDIDATE_INSTANCE}`]) {
      for (;;) {
        const info = await jsm.consumers.info(EVENTS_STREAM, durable).catch(() => undefined);
        if (info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= last) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await nc.close();
  }
}

/** Stops a service started by startService and waits for it to exit. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** Starts everything, seeds `world` and returns once both services have indexed all of it. */
export async function startBenchStack(world: WorldOptions, candidateEnv: Record<string, string> = {}): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-candidate-bench-"));
  const infra = await startInfrastructure({ dataDir });
  const [featurePort, featureAdmin, candidatePort, candidateAdmin] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const candidateEnvFor = (instance: string) => ({
    NATS_URL: infra.natsUrl,
    RECMESH_CANDIDATE_PORT: String(candidatePort),
    RECMESH_CANDIDATE_ADMIN_PORT: String(candidateAdmin),
    RECMESH_FEATURE_ADDR: `127.0.0.1:${featurePort}`,
    RECMESH_CANDIDATE_SNAPSHOT_DIR: join(dataDir, instance),
    RECMESH_CANDIDATE_INSTANCE: instance,
    ...candidateEnv,
  });
  const feature = startService("feature", {
    NATS_URL: infra.natsUrl,
    REDIS_URL: infra.redisUrl,
    RECMESH_FEATURE_PORT: String(featurePort),
    RECMESH_FEATURE_ADMIN_PORT: String(featureAdmin),
  });
  let candidate = startService("candidate", candidateEnvFor(CANDIDATE_INSTANCE));
  const stop = async () => {
    await Promise.all([terminate(candidate), terminate(feature)]);
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await untilServing(`127.0.0.1:${featurePort}`);
    await untilServing(`127.0.0.1:${candidatePort}`);
    const worldDir = join(dataDir, "world", String(world.seed));
    const started = performance.now();
    const seed = await seedWorld({ nats: infra.natsUrl, streams: STREAMS, world, dir: worldDir, progress: false });
    say(`seeded ${seed.manifest.counts.items} items, ${seed.manifest.counts.interactions} interactions in ${(seed.publishMs / 1000).toFixed(1)} s`);
    await untilCaughtUp(infra.natsUrl);
    say(`both services caught up ${((performance.now() - started) / 1000).toFixed(1)} s after the seed started`);
    const client = createClient(CandidateServiceClient, `127.0.0.1:${candidatePort}`, { maxMessageBytes: 64 * 1024 * 1024 });
    return {
      client,
      seed,
      worldDir,
      candidateAdminPort: candidateAdmin,
      natsUrl: infra.natsUrl,
      featureAddress: `127.0.0.1:${featurePort}`,
      pids: () => ({ "nats-server": infra.nats?.process.pid, "redis-server": infra.redis?.process.pid, feature: feature.pid, candidate: candidate.pid }),
      restartCandidate: async ({ fresh }) => {
        const stopping = performance.now();
        await terminate(candidate);
        const stopMs = performance.now() - stopping;
        const starting = performance.now();
        candidate = startService("candidate", candidateEnvFor(fresh ? `${CANDIDATE_INSTANCE}-fresh` : CANDIDATE_INSTANCE));
        await untilServing(`127.0.0.1:${candidatePort}`);
        return { stopMs, startMs: performance.now() - starting };
      },
      stop: async () => {
        client.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
