import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Command } from "commander";
import { declareStreams } from "../../services/kit/events/topology.js";
import { startInfrastructure } from "../../services/kit/infra/infrastructure.js";
import { grpcurlExamples } from "../stack/grpcurl-examples.js";
import { availableServices, stackEnvironment } from "../stack/service-specs.js";
import { startService, waitUntilServing, type RunningService } from "../stack/supervisor.js";

interface StackOptions {
  dataDir: string;
  fresh: boolean;
  exitWhenReady: boolean;
  readyTimeout: string;
}

export function registerStackCommand(program: Command): void {
  program
    .command("stack")
    .description("start NATS, Redis and every service locally; Ctrl-C stops everything")
    .option("--data-dir <dir>", "where server data and logs live", ".data")
    .option("--fresh", "delete the data directory first", false)
    .option("--exit-when-ready", "stop everything once all services are SERVING (smoke check)", false)
    .option("--ready-timeout <ms>", "how long each service may take to become SERVING", "60000")
    .action((options: StackOptions) => runStack(options));
}

async function runStack(options: StackOptions): Promise<void> {
  const dataDir = resolve(options.dataDir);
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  const logDir = join(dataDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);

  say(`recmesh stack — data and logs in ${dataDir}`);
  const infra = await startInfrastructure({
    dataDir,
    natsUrl: process.env.NATS_URL,
    redisUrl: process.env.REDIS_URL,
    natsPort: Number(process.env.RECMESH_STACK_NATS_PORT) || 4222,
    redisPort: Number(process.env.RECMESH_STACK_REDIS_PORT) || 6379,
    persistRedis: true,
    log: say,
  });
  say(`  nats   ${infra.natsUrl}${infra.nats ? "" : " (external)"}`);
  say(`  redis  ${infra.redisUrl}${infra.redis ? "" : " (external)"}`);

  const nc = await connect({ servers: infra.natsUrl });
  await declareStreams(await jetstreamManager(nc), { replicas: 1, eventRetentionDays: 30 });
  await nc.close();

  const specs = availableServices();
  const env = stackEnvironment(specs, infra);
  const running: RunningService[] = [];
  const stopAll = async () => {
    for (const service of [...running].reverse()) await service.process.stop(15_000);
    await infra.stop();
  };

  try {
    for (const spec of specs) {
      const service = startService(spec, env, logDir);
      running.push(service);
      await waitUntilServing(service, Number(options.readyTimeout));
      say(`  ${spec.name.padEnd(12)} 127.0.0.1:${spec.grpcPort}  metrics http://127.0.0.1:${spec.adminPort}/metrics`);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  say("");
  say(specs.length === 0 ? "No services in this checkout yet: infrastructure only." : "Ready. Try:");
  for (const line of grpcurlExamples(specs)) say(`  ${line}`);

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
