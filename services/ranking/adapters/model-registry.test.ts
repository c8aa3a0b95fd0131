import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventPublisher } from "../../kit/events/event-publisher.js";
import { MODEL_BUCKET } from "../../kit/events/subjects.js";
import { declareStreams, ensureObjectStore } from "../../kit/events/topology.js";
import { startTestInfrastructure } from "../../kit/testing/test-infrastructure.js";
import { ModelRegistry } from "./model-registry.js";

const DEMO = fileURLToPath(new URL("../../../models/ctr-mlp", import.meta.url));

describe("ModelRegistry over real NATS (JetStream stream + Object Store)", () => {
  let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;
  let nc: NatsConnection;

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    nc = await connect({ servers: infra.natsUrl });
    await declareStreams(await jetstreamManager(nc), { replicas: 1, eventRetentionDays: 1 });
  });

  afterAll(async () => {
    await nc?.close();
    await infra?.stop();
  });

  it("counts a model as present only once announced: a graph stored by an interrupted publish is announced by the next one", async () => {
    const store = await ensureObjectStore(nc, MODEL_BUCKET);
    const registry = new ModelRegistry(jetstream(nc), store, new EventPublisher(jetstream(nc)));
    const manifest = JSON.parse(readFileSync(join(DEMO, "manifest.json"), "utf8")) as { model: { name: string; version: string }; file: string };
    const graph = readFileSync(join(DEMO, manifest.file));
    const objectName = `${manifest.model.name}/${manifest.model.version}/${manifest.file}`;
    await store.putBlob({ name: objectName, description: createHash("sha256").update(graph).digest("hex") }, new Uint8Array(graph));

    expect(await registry.hasModel(manifest.model.name)).toBe(false);
    expect((await registry.publishDirectory(DEMO)).duplicate).toBe(false);
    expect(await registry.hasModel(manifest.model.name)).toBe(true);
    expect(await registry.hasModel("another-model")).toBe(false);
    expect((await registry.publishDirectory(DEMO)).duplicate).toBe(true);
    expect(await registry.announcementCount()).toBe(1);
  });
});
