import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelPublishedEvent } from "../../gen/recmesh/events/v1/model_published_event.js";
import { MODEL_BUCKET, MODELS_STREAM, SUBJECTS } from "../../services/kit/events/subjects.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";
import { repoRoot, runRecmesh } from "../testing/run-recmesh.js";

const demoModel = join(repoRoot, "models", "ctr-mlp");

const publishModel = (dir: string, natsUrl: string) => runRecmesh(["publish-model", dir], { NATS_URL: natsUrl }, 60_000);

describe("recmesh publish-model", () => {
  let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;
  let nc: NatsConnection;
  const empty = mkdtempSync(join(tmpdir(), "recmesh-no-model-"));
  const graphless = mkdtempSync(join(tmpdir(), "recmesh-no-graph-"));
  copyFileSync(join(demoModel, "manifest.json"), join(graphless, "manifest.json"));

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    nc = await connect({ servers: infra.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    await infra?.stop();
    rmSync(empty, { recursive: true, force: true });
    rmSync(graphless, { recursive: true, force: true });
  });

  it("stores the model directory in the registry bucket and announces it once, however often it runs", async () => {
    const manifest = JSON.parse(readFileSync(join(demoModel, "manifest.json"), "utf8")) as { model: { name: string; version: string } };
    const first = await publishModel(demoModel, infra.natsUrl);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^published ${manifest.model.name}/${manifest.model.version} as `));
    const again = await publishModel(demoModel, infra.natsUrl);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("is already in the registry");

    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(MODELS_STREAM, { last_by_subj: SUBJECTS.modelPublished });
    const event = ModelPublishedEvent.decode(stored?.data ?? new Uint8Array());
    expect((await jsm.streams.info(MODELS_STREAM)).state.messages).toBe(1);
    expect(event.manifest?.model).toEqual(manifest.model);
    expect(event.bucket).toBe(MODEL_BUCKET);
    expect(event.objectName).toMatch(new RegExp(`^${manifest.model.name}/${manifest.model.version}/`));
    const graph = readFileSync(join(demoModel, "model.onnx"));
    expect(event.sha256).toBe(createHash("sha256").update(graph).digest("hex"));
    const store = await new Objm(nc).open(MODEL_BUCKET);
    expect((await store.info(event.objectName))?.description).toBe(event.sha256);
    expect(Buffer.from((await store.getBlob(event.objectName)) ?? [])).toEqual(graph);
  });

  it("announces a model an earlier run stored but stopped before announcing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recmesh-unannounced-"));
    try {
      const manifest = JSON.parse(readFileSync(join(demoModel, "manifest.json"), "utf8")) as { model: { name: string; version: string }; file: string };
      manifest.model.version = "stored-not-announced";
      writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
      copyFileSync(join(demoModel, manifest.file), join(dir, manifest.file));
      const graph = readFileSync(join(dir, manifest.file));
      const sha256 = createHash("sha256").update(graph).digest("hex");
      const objectName = `${manifest.model.name}/${manifest.model.version}/${manifest.file}`;
      const jsm = await jetstreamManager(nc);
      await publishModel(demoModel, infra.natsUrl);
      // What the crashed run left: the object in the bucket, no announcement.
      const store = await new Objm(nc).open(MODEL_BUCKET);
      await store.putBlob({ name: objectName, description: sha256 }, new Uint8Array(graph));
      const before = (await jsm.streams.info(MODELS_STREAM)).state.messages;

      const run = await publishModel(dir, infra.natsUrl);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(new RegExp(`^published ${manifest.model.name}/stored-not-announced as `));
      expect((await jsm.streams.info(MODELS_STREAM)).state.messages).toBe(before + 1);
      const last = ModelPublishedEvent.decode((await jsm.streams.getMessage(MODELS_STREAM, { last_by_subj: SUBJECTS.modelPublished }))?.data ?? new Uint8Array());
      expect({ objectName: last.objectName, sha256: last.sha256 }).toEqual({ objectName, sha256 });

      expect((await publishModel(dir, infra.natsUrl)).stdout).toContain("is already in the registry");
      expect((await jsm.streams.info(MODELS_STREAM)).state.messages).toBe(before + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["without a manifest", empty, `${empty} has no manifest.json: a model directory holds manifest.json and the ONNX graph it names`],
    ["whose manifest names a missing graph", graphless, `${graphless} has no model.onnx, the graph its manifest.json names`],
  ])("fails with one clear line for a directory %s, publishing nothing", async (_case, dir, message) => {
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(MODELS_STREAM)).state.messages;
    const run = await publishModel(dir, infra.natsUrl);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: ${message}\n`);
    expect((await jsm.streams.info(MODELS_STREAM)).state.messages).toBe(before);
  });
});
