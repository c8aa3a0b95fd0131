import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import {
  RecommendRequest,
  RecommenderServiceClient,
  SessionRequest,
  TrackRequest,
  type RecommendResponse,
  type SessionResponse,
} from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { readWorldInteractions, readWorldItems } from "../../world/index.js";
import { TestStack } from "./stack-harness.js";

describe("the whole stack: Recommend and Track end to end", () => {
  const stack = new TestStack();
  let client: RecommenderServiceClient;
  let seenByUser: Map<string, Set<string>>;
  let categoryOf: Map<string, string>;

  beforeAll(async () => {
    await stack.start();
    client = new RecommenderServiceClient(stack.addresses.recommender, credentials.createInsecure());
    seenByUser = new Map();
    for (const i of readWorldInteractions(stack.world.dir)) {
      const seen = seenByUser.get(i.userId) ?? new Set<string>();
      seen.add(i.itemId);
      seenByUser.set(i.userId, seen);
    }
    categoryOf = new Map(readWorldItems(stack.world.dir).map((i) => [i.id, i.category]));
  });

  afterAll(async () => {
    client?.close();
    await stack.stop();
  });

  const recommend = (userId: string, count = 20, explain = false): Promise<RecommendResponse> =>
    unaryCall(client.recommend.bind(client), RecommendRequest.fromPartial({ userId, count, surface: "home", explain }), {
      deadline: Date.now() + 10_000,
    });

  it("returns `count` unique items the user has not interacted with, ranked by the model, with nothing degraded", async () => {
    const users = [...seenByUser.keys()].slice(0, 10);
    for (const userId of users) {
      const res = await recommend(userId);
      expect(res.degraded).toEqual([]);
      expect(res.items).toHaveLength(20);
      const ids = res.items.map((i) => i.itemId);
      expect(new Set(ids).size).toBe(20);
      for (const id of ids) expect(seenByUser.get(userId)?.has(id)).toBe(false);
      expect(res.model?.name).toBe("ctr-mlp");
      for (let i = 1; i < res.items.length; i++) expect(res.items[i - 1]?.score ?? 0).toBeGreaterThanOrEqual(res.items[i]?.score ?? 0);
      expect(res.items.every((i) => i.sources.length > 0 && i.category !== "")).toBe(true);
    }
  });

  it("explains every stage: candidates per source, features used, raw scores, what post-ranking removed", async () => {
    const userId = [...seenByUser.keys()][3] as string;
    const res = await recommend(userId, 10, true);
    const e = res.explanation;
    expect(e?.stages.map((s) => s.stage)).toEqual([
      "ExperimentAssignment",
      "UserFeatureHydration",
      "CandidateGeneration",
      "Ranking",
      "DuplicateItemsFilter",
      "SeenItemsFilter",
      "CategoryCapFilter",
    ]);
    expect(e?.sources.length).toBeGreaterThanOrEqual(2);
    expect(e?.featuresUsed).toEqual(expect.arrayContaining(["user_taste", "user_activity"]));
    expect(e?.rawScores.length).toBeGreaterThan(10);
    for (const stage of e?.stages ?? []) {
      expect(stage.duration, stage.stage).toBeDefined();
      if (stage.stage.endsWith("Filter")) expect(stage.inputCount - stage.outputCount, stage.stage).toBe(stage.removed.length);
      for (const r of stage.removed) expect(r.reason, `${stage.stage} ${r.itemId}`).not.toBe("");
    }
    const filters = e?.stages.filter((s) => s.stage.endsWith("Filter")) ?? [];
    const ranking = e?.stages.find((s) => s.stage === "Ranking");
    expect(filters[0]?.inputCount).toBe(ranking?.outputCount);
    const removed = new Set(filters.flatMap((s) => s.removed.map((r) => r.itemId)));
    const returned = new Set(res.items.map((i) => i.itemId));
    expect(removed.size).toBeGreaterThan(0);
    for (const id of removed) expect(returned.has(id), id).toBe(false);
    expect(e?.rawScores.map((r) => r.itemId)).toEqual(expect.arrayContaining([...returned]));
  });

  it("a tracked click shifts the next recommendations towards the clicked item's category", async () => {
    const userId = [...seenByUser.keys()][5] as string;
    const share = (res: RecommendResponse, category: string) => res.items.filter((i) => categoryOf.get(i.itemId) === category).length;
    const before = await recommend(userId, 30);
    const counts = new Map<string, number>();
    for (const i of before.items) counts.set(i.category, (counts.get(i.category) ?? 0) + 1);
    const all = [...new Set(categoryOf.values())];
    const target = all.filter((c) => !counts.has(c))[0] ?? all[0] ?? "";
    const clicked = [...categoryOf.entries()].filter(([id, c]) => c === target && !seenByUser.get(userId)?.has(id)).slice(0, 8).map(([id]) => id);
    for (const itemId of clicked) {
      await unaryCall(
        client.track.bind(client),
        TrackRequest.fromPartial({ interaction: { userId, itemId, type: InteractionType.INTERACTION_TYPE_CLICK, occurredAt: new Date() } }),
        { deadline: Date.now() + 5_000 },
      );
    }
    await stack.waitForProjections();
    const after = await recommend(userId, 30);
    expect(share(after, target)).toBeGreaterThan(share(before, target));
    for (const id of clicked) expect(after.items.map((i) => i.itemId)).not.toContain(id);
  });

  it("a Session streams a list, acknowledges a click, then pushes a fresh list without what was shown or clicked", async () => {
    const userId = [...seenByUser.keys()][7] as string;
    const lists: RecommendResponse[] = [];
    const acks: string[] = [];
    const stream = client.session(new Metadata(), { deadline: Date.now() + 30_000 });
    const done = new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("end", resolve);
    });
    const nextList = new Promise<void>((resolve) => {
      stream.on("data", (m: SessionResponse) => {
        if (m.event?.$case === "recommendations") {
          lists.push(m.event.value);
          if (lists.length === 1) {
            const clicked = m.event.value.items[0]?.itemId ?? "";
            stream.write(SessionRequest.fromPartial({ action: { $case: "interaction", value: { itemId: clicked, type: InteractionType.INTERACTION_TYPE_CLICK } } }));
          }
          if (lists.length === 2) resolve();
        } else if (m.event?.$case === "tracked") acks.push(m.event.value.eventId);
      });
    });
    stream.write(SessionRequest.fromPartial({ action: { $case: "start", value: { userId, count: 10, surface: "home" } } }));
    await nextList;
    stream.end();
    await done;
    expect(acks).toHaveLength(1);
    const [first, second] = lists as [RecommendResponse, RecommendResponse];
    expect(second.items.length).toBe(10);
    const shown = new Set(first.items.map((i) => i.itemId));
    for (const item of second.items) expect(shown.has(item.itemId)).toBe(false);
  });
});
