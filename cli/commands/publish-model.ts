import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Command } from "commander";
import { EventPublisher } from "../../services/kit/events/event-publisher.js";
import { natsConnectionOptions } from "../../services/kit/events/nats-options.js";
import { MODEL_BUCKET } from "../../services/kit/events/subjects.js";
import { declareStreams, ensureObjectStore } from "../../services/kit/events/topology.js";
import { contractFromManifestJson } from "../../services/ranking/adapters/manifest-codec.js";
import { ModelRegistry } from "../../services/ranking/adapters/model-registry.js";
import { ContractError } from "../../services/ranking/model/model-contract.js";
import { loadCliConfig } from "../cli-config.js";
import { failUsage } from "../publishing/usage-error.js";

export function registerPublishModelCommand(program: Command): void {
  program
    .command("publish-model")
    .description("put a model directory (manifest.json + ONNX graph) into the model registry and announce it; ranking replicas hot-swap to it")
    .argument("<dir>", "model directory")
    .action(async (dir: string) => {
      const config = loadCliConfig();
      const problem = modelDirectoryProblem(dir);
      if (problem) {
        failUsage(problem);
        return;
      }
      const nc = await connect(natsConnectionOptions(config.nats));
      try {
        const js = jetstream(nc);
        await declareStreams(await jetstreamManager(nc), config.streams);
        const registry = new ModelRegistry(js, await ensureObjectStore(nc, MODEL_BUCKET, config.streams.replicas), new EventPublisher(js));
        const published = await registry.publishDirectory(dir);
        const what = `${published.contract.name}/${published.contract.version}`;
        process.stdout.write(
          published.duplicate
            ? `${what} is already in the registry (sha256 ${published.sha256.slice(0, 12)}…): nothing to do\n`
            : `published ${what} as ${published.objectName} (sha256 ${published.sha256.slice(0, 12)}…)\n`,
        );
      } finally {
        await nc.drain();
      }
    });
}

/** Checked before connecting, so a wrong path fails with one line even when NATS is down. */
function modelDirectoryProblem(dir: string): string | undefined {
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath)) return `${dir} has no manifest.json: a model directory holds manifest.json and the ONNX graph it names`;
  try {
    const { file } = contractFromManifestJson(readFileSync(manifestPath, "utf8"));
    if (!existsSync(join(dir, file))) return `${dir} has no ${file}, the graph its manifest.json names`;
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    return `${manifestPath}: ${err.message}`;
  }
  return undefined;
}
