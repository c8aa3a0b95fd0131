import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Option, type Command } from "commander";
import type { NatsSettings } from "../../services/kit/config/nats-config.js";
import { natsConnectionOptions } from "../../services/kit/events/nats-options.js";
import { declareStreams } from "../../services/kit/events/topology.js";
import { startInfrastructure } from "../../services/kit/infra/infrastructure.js";
import { redactUrl } from "../../services/kit/telemetry/redact-url.js";
import { resolveWorldOptions, WORLD_PRESET_NAMES, worldEndForNow, type WorldPreset } from "../../world/index.js";
import { loadCliConfig, loadCliGrpcTls, loadStackInfraConfig } from "../cli-config.js";
import { seedIfEmpty } from "../seed/seed-if-empty.js";
import { worldDir } from "../seed/seed-world.js";
import { waitForConsumers } from "../../services/kit/events/consumer-lag.js";
import { EVENTS_STREAM } from "../../services/kit/events/subjects.js";
import { demoRecommend } from "../stack/demo-call.js";
import { grpcurlExamples } from "../stack/grpcurl-examples.js";
import { availableServices, stackEnvironment } from "../stack/service-specs.js";
import { startService, waitUntilServing, type RunningService } from "../stack/supervisor.js";

interface StackOptions {
  dataDir: string;
  fresh: boolean;
  exitWhenReady: boolean;
  readyTimeout: string;
  seed: boolean;
  world: WorldPreset;
}

const STREAMS = { replicas: 1, eventRetentionDays: 30 };
/** Seed of the world the stack seeds into an empty store. */
const STACK_WORLD_SEED = 42;
/** A user and an item of that world, for the demo call and the printed examples. */
const SAMPLE_USER = "user-00042";
const SAMPLE_ITEM = "item-000042";

export function registerStackCommand(program: Command): void {
  program
    .command("stack")
    .description("start NATS, Redis and every service locally; Ctrl-C stops everything")
    .option("--data-dir <dir>", "where server data and logs live", ".data")
    .option("--fresh", "delete the data directory first", false)
    .option("--exit-when-ready", "stop everything once all services are SERVING (smoke check)", false)
    .option("--ready-timeout <ms>", "how long each service may take to become SERVING", "60000")
    .option("--no-seed", "do not seed the synthetic world into an empty store")
    .addOption(new Option("--world <preset>", "size of the synthetic world seeded into an empty store").choices(WORLD_PRESET_NAMES).default("default"))
    .action((options: StackOptions) => runStack(options));
}

async function runStack(options: StackOptions): Promise<void> {
  const dataDir = resolve(options.dataDir);
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  const logDir = join(dataDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // The services inherit RECMESH_TLS_* from this environment; health checks and the demo call must speak the same.
  const tls = loadCliGrpcTls();

  say(`recmesh stack — data and logs in ${dataDir}`);
  const infra = await startInfrastructure({
    dataDir,
    ...loadStackInfraConfig(),
    persistRedis: true,
    log: say,
  });
  say(`  nats   ${redactUrl(infra.natsUrl)}${infra.nats ? "" : " (external)"}`);
  say(`  redis  ${redactUrl(infra.redisUrl)}${infra.redis ? "" : " (external)"}`);

  // The services inherit NATS_USER/NATS_CREDS/RECMESH_NATS_TLS_* from this environment; the stack's own connections use them too.
  const { nats } = loadCliConfig(process.env, infra.natsUrl);
  const nc = await connect(natsConnectionOptions(nats));
  await declareStreams(await jetstreamManager(nc), STREAMS);
  await nc.close();

  const specs = availableServices();
  const env = stackEnvironment(specs, infra, dataDir);
  const running: RunningService[] = [];
  const stopAll = async () => {
    for (const service of [...running].reverse()) await service.process.stop(15_000);
    await infra.stop();
  };

  try {
    for (const spec of specs) {
      const service = startService(spec, env, logDir);
      running.push(service);
      await waitUntilServing(service, Number(options.readyTimeout), tls);
      say(`  ${spec.name.padEnd(12)} 127.0.0.1:${spec.grpcPort}  metrics http://127.0.0.1:${spec.adminPort}/metrics`);
    }
    if (options.seed) {
      const world = resolveWorldOptions({ preset: options.world, seed: STACK_WORLD_SEED, endTime: worldEndForNow() });
      await seedIfEmpty({ nats, streams: STREAMS, world, dir: worldDir(dataDir, world.seed), progress: true }, (line) => say(`  ${line}`));
    }
    await waitForProjections(nats, say);
  } catch (err) {
    await stopAll();
    throw err;
  }

  const front = specs.find((s) => s.name === "recommender");
  if (front) {
    say("");
    for (const line of await demoRecommend(`127.0.0.1:${front.grpcPort}`, SAMPLE_USER, tls)) say(line);
  }
  say("");
  say("Ready. Try:");
  for (const line of grpcurlExamples(specs, SAMPLE_USER, SAMPLE_ITEM, tls)) say(`  ${line}`);

  if (options.exitWhenReady) {
    await stopAll();
    say("stopped");
    return;
  }
  say("");
  say("Ctrl-C stops everything.");
  await new Promise<void>((resolveStop) => {
    const onSignal = () => resolveStop();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  say("stopping…");
  await stopAll();
  say("stopped");
}

/** Waits until every consumer has projected the event log, so the first Recommend sees the whole world. */
async function waitForProjections(nats: NatsSettings, say: (line: string) => void): Promise<void> {
  const nc = await connect(natsConnectionOptions(nats));
  try {
    let reported = Number.POSITIVE_INFINITY;
    await waitForConsumers(await jetstreamManager(nc), EVENTS_STREAM, {
      timeoutMs: 15 * 60_000,
      onProgress: (left) => {
        if (left <= reported - 25_000) {
          reported = left;
          say(`  projecting the event log: ${left} events left`);
        }
      },
    });
  } finally {
    await nc.close();
  }
}
