import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeatureBlock } from "../../gen/recmesh/common/v1/features.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import { FeatureServiceClient, GetFeaturesRequest } from "../../gen/recmesh/feature/v1/feature_service.js";
import {
  ListModelsRequest,
  ModelStatus,
  RankRequest,
  RankingServiceClient,
  RankStreamRequest,
  type RankStreamResponse,
} from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { EventPublisher } from "../kit/events/event-publisher.js";
import { MODEL_BUCKET, SUBJECTS } from "../kit/events/subjects.js";
import { ensureObjectStore } from "../kit/events/topology.js";
import { unaryCall } from "../kit/grpc/unary-call.js";
import type { Infrastructure } from "../kit/infra/infrastructure.js";
import { startTestInfrastructure } from "../kit/testing/test-infrastructure.js";
import { testLogger } from "../kit/testing/test-logger.js";
import { loadFeatureConfig } from "../feature/config.js";
import { startFeatureService } from "../feature/main.js";
import { ModelRegistry } from "./adapters/model-registry.js";
import { loadRankingConfig } from "./config.js";
import { startRankingService } from "./main.js";
import { basis } from "./testing-fixtures.js";

const testdata = (dir: string) => join(import.meta.dirname, "testdata", dir);

/** A user_taste block: embedding = basis(0), affinities 0. */
function userBlock(): FeatureBlock {
  const values = new Float32Array(64);
  values[0] = 1;
  return { view: "user_taste", viewVersion: 1, width: 64, entityIds: ["u1"], values: Buffer.from(values.buffer), statuses: Buffer.from([1]) };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("ranking service on real NATS, Redis, feature service and ONNX", () => {
  let infra: Infrastructure;
  let feature: Awaited<ReturnType<typeof startFeatureService>>;
  let ranking: Awaited<ReturnType<typeof startRankingService>>;
  let client: RankingServiceClient;
  let nc: NatsConnection;
  let registry: ModelRegistry;

  const logged: string[] = [];
  const logSink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const logLines = () => logged.map((l) => JSON.parse(l) as Record<string, unknown>);
  const rank = (req: Partial<RankRequest>) =>
    unaryCall(client.rank.bind(client), RankRequest.fromPartial({ userId: "u1", userFeatures: [userBlock()], ...req }), {
      deadline: Date.now() + 5_000,
    });
  const listModels = () => unaryCall(client.listModels.bind(client), ListModelsRequest.create(), { deadline: Date.now() + 5_000 });

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    const env = { NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl };
    feature = await startFeatureService(loadFeatureConfig({ ...env, RECMESH_FEATURE_PORT: "0", RECMESH_FEATURE_ADMIN_PORT: "0" }), { logger: testLogger() });
    nc = await connect({ servers: infra.natsUrl });
    const js = jetstream(nc);
    const publisher = new EventPublisher(js);
    registry = new ModelRegistry(js, await ensureObjectStore(nc, MODEL_BUCKET), publisher);
    await registry.publishDirectory(testdata("dot/1"));
    // Items i1..i3 point along basis 0 with lengths 1..3: dot with the user is 1, 2, 3.
    for (const n of [1, 2, 3]) {
      await publisher.publish(
        SUBJECTS.itemUpserted,
        ItemUpsertedEvent,
        ItemUpsertedEvent.fromPartial({ eventId: `item-i${n}`, item: { itemId: `i${n}`, category: "c", embedding: basis(0, n), available: true }, occurredAt: new Date() }),
        { msgId: `item-i${n}` },
      );
    }
    const features = new FeatureServiceClient(`127.0.0.1:${feature.grpcPort}`, credentials.createInsecure());
    await until(async () => {
      const res = await unaryCall(features.getFeatures.bind(features), GetFeaturesRequest.create({ entityIds: ["i3"], features: ["item_content:embedding"] }), {
        deadline: Date.now() + 1_000,
      });
      const v = res.entities[0]?.values[0]?.value?.kind;
      return v?.$case === "vectorValue" && v.value.values[0] === 3 ? true : undefined;
    }, "item features");
    features.close();

    ranking = await startRankingService(
      loadRankingConfig({
        NATS_URL: infra.natsUrl,
        RECMESH_RANKING_PORT: "0",
        RECMESH_RANKING_ADMIN_PORT: "0",
        RECMESH_FEATURE_ADDR: `127.0.0.1:${feature.grpcPort}`,
        RECMESH_RANKING_PROVIDER: "cuda",
        RECMESH_RANKING_WARMUP_RUNS: "1",
        RECMESH_RANKING_BOOTSTRAP: "false",
        RECMESH_RANKING_ITEM_CACHE_MS: "60000",
      }),
      { logger: pino({ level: "info" }, logSink) },
    );
    client = new RankingServiceClient(`127.0.0.1:${ranking.grpcPort}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await nc?.close();
    await ranking?.stop();
    await feature?.stop();
    await infra?.stop();
  });

  it("asked for CUDA on a machine without it, serves on CPU and reports the fallback", async () => {
    const res = await listModels();
    expect(res.requestedProvider).toBe("cuda");
    const dot = res.models.find((m) => m.manifest?.model?.name === "dot");
    expect(dot).toMatchObject({ status: ModelStatus.MODEL_STATUS_SERVING, executionProvider: "cpu", isDefault: true });
    expect(dot?.providerFallbackReason).toMatch(/\S/);
    const fallback = logLines().find((l) => l.msg === "CUDA unavailable: falling back to CPU");
    expect(fallback).toMatchObject({ level: 40, model: "dot/1", requested: "cuda" });
    expect(logLines().find((l) => l.msg === "model serving on CPU")).toMatchObject({ model: "dot/1", provider: "cpu", requested: "cuda" });
    const scraped = await (await fetch(`http://127.0.0.1:${ranking.adminPort}/metrics`)).text();
    expect(scraped).toMatch(/^recmesh_ranking_execution_provider\{[^}]*model="dot"[^}]*provider="cpu"[^}]*\} 1$/m);
    expect(scraped).not.toMatch(/^recmesh_ranking_execution_provider\{[^}]*provider="cuda"/m);
  });

  it("hydrates item features from the feature service and defaults the unknown ones", async () => {
    const res = await rank({ itemIds: ["i1", "i3", "unknown", "i2"] });
    expect(res.scores).toEqual([1, 3, 0, 2]);
    expect(res.order).toEqual([1, 3, 0, 2]);
    expect(res.defaultedItems).toBe(1);
    expect(res.model).toEqual({ name: "dot", version: "1" });
    expect(res.executionProvider).toBe("cpu");
  });

  const cacheCount = async (result: string) => {
    const scraped = await (await fetch(`http://127.0.0.1:${ranking.adminPort}/metrics`)).text();
    return Number(new RegExp(`^recmesh_ranking_item_cache_candidates_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)$`, "m").exec(scraped)?.[1] ?? 0);
  };

  it("ranks candidates it hydrated a moment ago from its item cache, with the same scores, and counts hits and misses", async () => {
    const first = await rank({ itemIds: ["i3", "never-seen", "i1"] });
    const between = { hit: await cacheCount("hit"), miss: await cacheCount("miss") };
    const second = await rank({ itemIds: ["i1", "never-seen", "i3"] });
    expect(first.scores).toEqual([3, 0, 1]);
    expect(second.scores).toEqual([1, 0, 3]);
    expect(second.defaultedItems).toBe(1);
    expect((await cacheCount("hit")) - between.hit).toBe(3);
    expect((await cacheCount("miss")) - between.miss).toBe(0);
  });

  it("hydrates the candidates concurrent calls all miss once, the other calls waiting for that fetch", async () => {
    const itemIds = Array.from({ length: 20 }, (_, i) => `cold-${i}`);
    const counts = async () => ({ miss: await cacheCount("miss"), joined: await cacheCount("joined"), hit: await cacheCount("hit") });
    const before = await counts();
    const answers = await Promise.all(Array.from({ length: 8 }, () => rank({ itemIds })));
    const after = await counts();
    for (const res of answers) expect(res.defaultedItems).toBe(itemIds.length);
    expect(after.miss - before.miss).toBe(itemIds.length);
    expect(after.joined - before.joined + after.hit - before.hit).toBe(7 * itemIds.length);
  });

  it("refuses too many candidates and an unknown pinned model with their status codes", async () => {
    const tooMany = (await rank({ itemIds: Array.from({ length: 1001 }, (_, i) => `x${i}`) }).catch((e: unknown) => e)) as ServiceError;
    expect(tooMany.code).toBe(status.INVALID_ARGUMENT);
    expect(tooMany.details).toContain("limit of 1000");
    const unknown = (await rank({ itemIds: ["i1"], model: { name: "nope", version: "" } }).catch((e: unknown) => e)) as ServiceError;
    expect(unknown.code).toBe(status.NOT_FOUND);
  });

  it("scores chunks of a RankStream as they arrive; a bad chunk gets its own error and the stream goes on", async () => {
    const answers: RankStreamResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.rankStream(new Metadata(), { deadline: Date.now() + 5_000 });
      stream.on("data", (r: RankStreamResponse) => answers.push(r));
      stream.on("error", reject);
      stream.on("end", resolve);
      const chunk = (chunkId: string, itemIds: string[]) =>
        RankStreamRequest.fromPartial({ message: { $case: "chunk", value: { chunkId, itemIds } } });
      stream.write(RankStreamRequest.fromPartial({ message: { $case: "setup", value: { userId: "u1", userFeatures: [userBlock()] } } }));
      stream.write(chunk("a", ["i1", "i2"]));
      stream.write(chunk("bad", []));
      stream.write(chunk("b", ["i3"]));
      stream.end();
    });
    expect(answers.map((a) => [a.chunkId, a.scores, a.error?.code ?? 0])).toEqual([
      ["a", [1, 2], 0],
      ["bad", [], status.INVALID_ARGUMENT],
      ["b", [3], 0],
    ]);
  });

  it("hot-swaps to a newly published version while calls are in flight: none fails, none mixes versions", async () => {
    const seen = new Map<string, number>();
    const failures: unknown[] = [];
    let stop = false;
    const caller = async () => {
      while (!stop && failures.length === 0) {
        try {
          const res = await rank({ itemIds: ["i1", "i2", "i3"] });
          const version = res.model?.version ?? "?";
          seen.set(version, (seen.get(version) ?? 0) + 1);
          const expected = version === "1" ? [1, 2, 3] : [3, 5, 7];
          if (JSON.stringify(res.scores) !== JSON.stringify(expected)) failures.push(`mixed scores ${JSON.stringify(res.scores)} for v${version}`);
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const callers = Array.from({ length: 16 }, caller);
    const progressed = (version: string, calls: number) => async () => (failures.length > 0 || (seen.get(version) ?? 0) > calls ? true : undefined);
    await until(progressed("1", 20), "calls on version 1");
    await registry.publishDirectory(testdata("dot/2"));
    await until(progressed("2", 50), "calls on version 2", 30_000);
    stop = true;
    await Promise.all(callers);
    expect(failures.slice(0, 3)).toEqual([]);
    expect([...seen.keys()].sort()).toEqual(["1", "2"]);
    const models = (await listModels()).models.filter((m) => m.manifest?.model?.name === "dot");
    expect(models.map((m) => [m.manifest?.model?.version, m.status])).toEqual([["2", ModelStatus.MODEL_STATUS_SERVING]]);
    const scraped = await (await fetch(`http://127.0.0.1:${ranking.adminPort}/metrics`)).text();
    expect(scraped.match(/^recmesh_ranking_execution_provider\{[^}]*model="dot"[^}]*\} .*$/gm)).toEqual([
      expect.stringMatching(/provider="cpu"[^}]*\} 1$/),
    ]);
  });

  it("rejects a published version whose graph does not match its contract and keeps serving the current one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recmesh-wide-"));
    cpSync(testdata("wide/1"), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { model: { name: string; version: string } };
    manifest.model = { name: "dot", version: "3" };
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    await registry.publishDirectory(dir);
    const rejected = await until(async () => {
      const m = (await listModels()).models.find((x) => x.manifest?.model?.version === "3");
      return m?.status === ModelStatus.MODEL_STATUS_REJECTED ? m : undefined;
    }, "rejection of dot/3");
    expect(rejected.rejectionReason).toMatch(/graph input "features" has shape/);
    expect((await rank({ itemIds: ["i1"] })).model).toEqual({ name: "dot", version: "2" });
  });

  it("serves the committed demo model: its contract binds to the live feature registry", async () => {
    await registry.publishDirectory(join(import.meta.dirname, "../../models/ctr-mlp"));
    const demo = await until(async () => {
      const m = (await listModels()).models.find((x) => x.manifest?.model?.name === "ctr-mlp");
      return m && m.status !== ModelStatus.MODEL_STATUS_LOADING && m.status !== ModelStatus.MODEL_STATUS_WARMING ? m : undefined;
    }, "demo model");
    expect(demo.rejectionReason).toBe("");
    expect(demo.status).toBe(ModelStatus.MODEL_STATUS_SERVING);
    const res = await rank({ itemIds: ["i1", "i2", "i3"], model: { name: "ctr-mlp", version: "" } });
    expect(res.scores).toHaveLength(3);
    expect(res.scores.every((s) => Number.isFinite(s))).toBe(true);
    expect(res.nonFiniteItems).toBe(0);
  });

  it("returns a model's NaN scores as the lowest score, last, and counts them", async () => {
    await registry.publishDirectory(testdata("nan/1"));
    await until(async () => ((await listModels()).models.some((m) => m.manifest?.model?.name === "nan" && m.status === ModelStatus.MODEL_STATUS_SERVING) ? true : undefined), "nan model");
    const negative = new Float32Array(64);
    negative[0] = -1;
    const res = await rank({
      itemIds: ["i2", "neg"],
      model: { name: "nan", version: "" },
      itemFeatures: [
        {
          view: "item_content",
          viewVersion: 1,
          width: 64,
          entityIds: ["i2", "neg"],
          values: Buffer.concat([Buffer.from(new Float32Array([0, ...new Array<number>(63).fill(0)]).buffer), Buffer.from(negative.buffer)]),
          statuses: Buffer.from([1, 1]),
        },
      ],
    });
    expect(res.nonFiniteItems).toBe(2);
    expect(res.scores.every((s) => Number.isFinite(s))).toBe(true);
  });

  it.each([
    [["i2"], 'item_features[item_content].entity_ids: has 1 ids, expected one per item id (2)'],
    [["neg", "i2"], 'item_features[item_content].entity_ids: row 0 is "neg", expected "i2" (rows follow item_ids)'],
    [["i2", "other"], 'item_features[item_content].entity_ids: row 1 is "other", expected "neg" (rows follow item_ids)'],
  ])("refuses caller-sent item features whose rows are %o instead of the candidates, naming the field", async (entityIds, message) => {
    const err = (await rank({
      itemIds: ["i2", "neg"],
      itemFeatures: [{ view: "item_content", viewVersion: 1, width: 64, entityIds, values: Buffer.alloc(entityIds.length * 64 * 4), statuses: Buffer.alloc(0) }],
    }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe(message);
  });
});
