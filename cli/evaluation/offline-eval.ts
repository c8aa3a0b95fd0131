import { credentials, Metadata } from "@grpc/grpc-js";
import { CandidateServiceClient, GenerateRequest } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import type { FeatureBlock } from "../../gen/recmesh/common/v1/features.js";
import { FeatureServiceClient, type StreamFeaturesResponse } from "../../gen/recmesh/feature/v1/feature_service.js";
import { RankRequest, RankingServiceClient } from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { fetchViewLayouts } from "../../services/ranking/adapters/feature-views-client.js";
import type { ViewLayout } from "../../services/ranking/model/feature-layout.js";
import { Rng } from "../../world/prng.js";
import { generateWorld, relevantItemsByUser, worldManifest, type WorldOptions } from "../../world/index.js";
import { InProcessStack } from "../local/in-process-stack.js";
import { publishWorldEvents } from "../seed/seed-world.js";
import { lookupRows } from "../training/feature-lookup.js";
import { MetricMeans, orderByScore } from "./ranking-metrics.js";

export interface EvalOptions {
  world: WorldOptions;
  modelDir: string;
  k: number;
  candidates: number;
  maxUsers: number;
  say: (line: string) => void;
  progress: boolean;
}

export interface EvalResult {
  fingerprint: string;
  users: number;
  candidateRecall: number;
  model: { ndcg: number; recall: number };
  popularity: { ndcg: number; recall: number };
  random: { ndcg: number; recall: number };
  modelName: string;
}

const DAY_MS = 86_400_000;
/** Quality, not latency, is measured here: budgets no timeout can hit on a busy machine. */
const PATIENT = "5000";

/**
 * Offline evaluation of the full candidate → rank pipeline on the world's
 * held-out day: the training history is projected by the real services (features
 * read as of the start of the held-out day), then for every user with held-out
 * engagements the candidate service retrieves k candidates and three orderings of
 * the same candidates are scored against what the user actually engaged with:
 * the ranking model, item popularity (item_stats:popularity), and random order.
 */
export async function evaluateOffline(o: EvalOptions): Promise<EvalResult> {
  const world = generateWorld(o.world);
  const manifest = worldManifest(world);
  const heldoutFrom = o.world.endTime - o.world.heldoutDays * DAY_MS;
  const stack = new InProcessStack({
    services: ["feature", "candidate", "ranking"],
    featureClock: () => heldoutFrom,
    env: {
      candidate: {
        RECMESH_CANDIDATE_ANN_BUDGET_MS: PATIENT,
        RECMESH_CANDIDATE_POPULARITY_BUDGET_MS: PATIENT,
        RECMESH_CANDIDATE_COVISITATION_BUDGET_MS: PATIENT,
        RECMESH_CANDIDATE_FEATURE_TIMEOUT_MS: PATIENT,
      },
      ranking: { RECMESH_RANKING_BOOTSTRAP_MODEL_DIR: o.modelDir, RECMESH_RANKING_HYDRATION_TIMEOUT_MS: PATIENT },
    },
  });
  await stack.startInfrastructure();
  try {
    await publishWorldEvents({ nats: stack.infra.natsUrl, streams: { replicas: 1, eventRetentionDays: 30 }, progress: o.progress }, o.world.seed, world.items, world.interactions);
    await stack.startServices();
    await stack.waitForProjections();
    o.say(`world ${manifest.fingerprint.slice(0, 16)}…: projected ${world.interactions.length} history events; evaluating on the held-out day`);

    const features = new FeatureServiceClient(stack.addresses.feature, credentials.createInsecure());
    const candidates = new CandidateServiceClient(stack.addresses.candidate, credentials.createInsecure());
    const ranking = new RankingServiceClient(stack.addresses.ranking, credentials.createInsecure());
    try {
      const layouts = await fetchViewLayouts(features, 10_000);
      const userViews = [...layouts.values()].filter((v) => v.entity === "user").map((v) => v.name);
      const popularity = await itemPopularity(features, layouts, world.items.map((i) => i.id));
      const relevant = [...relevantItemsByUser(world.heldout)].slice(0, o.maxUsers);
      const model = new MetricMeans(o.k);
      const popular = new MetricMeans(o.k);
      const random = new MetricMeans(o.k);
      const retrieval = new MetricMeans(o.candidates);
      const rng = new Rng(o.world.seed, "offline-eval-random");
      let modelName = "";
      for (const [userId, items] of relevant) {
        const deadline = Date.now() + 30_000;
        const generated = await unaryCall(candidates.generate.bind(candidates), GenerateRequest.fromPartial({ userId, k: o.candidates }), { deadline });
        const ids = generated.candidates.map((c) => c.itemId);
        retrieval.add(ids, items);
        if (ids.length === 0) {
          for (const m of [model, popular, random]) m.add([], items);
          continue;
        }
        const userFeatures = await userBlocks(features, userViews, userId);
        const ranked = await unaryCall(ranking.rank.bind(ranking), RankRequest.fromPartial({ userId, userFeatures, itemIds: ids }), { deadline });
        modelName = `${ranked.model?.name}/${ranked.model?.version}`;
        model.add(orderByScore(ranked.scores).map((i) => ids[i] as string), items);
        popular.add(orderByScore(ids.map((id) => popularity.get(id) ?? 0)).map((i) => ids[i] as string), items);
        random.add(shuffled(ids, rng), items);
      }
      return {
        fingerprint: manifest.fingerprint,
        users: model.result.users,
        candidateRecall: retrieval.result.recall,
        model: model.result,
        popularity: popular.result,
        random: random.result,
        modelName,
      };
    } finally {
      features.close();
      candidates.close();
      ranking.close();
    }
  } finally {
    await stack.stop();
  }
}

async function itemPopularity(client: FeatureServiceClient, layouts: ReadonlyMap<string, ViewLayout>, itemIds: string[]): Promise<Map<string, number>> {
  const offset = layouts.get("item_stats")?.features.get("popularity")?.offset;
  if (offset === undefined) throw new Error("the feature registry has no item_stats:popularity");
  const rows = await lookupRows(client, "item_stats", itemIds);
  return new Map(itemIds.map((id, r) => [id, rows.values[r * rows.width + offset] as number]));
}

/** The user's row of every user view, as the recommender sends them to ranking. */
function userBlocks(client: FeatureServiceClient, views: readonly string[], userId: string): Promise<FeatureBlock[]> {
  return new Promise((resolve, reject) => {
    const blocks: FeatureBlock[] = [];
    const stream = client.streamFeatures(new Metadata(), { deadline: Date.now() + 30_000 });
    stream.on("data", (r: StreamFeaturesResponse) => (r.block ? blocks.push(r.block) : reject(new Error(r.error?.message))));
    stream.on("error", reject);
    stream.on("end", () => resolve(blocks));
    for (const view of views) stream.write({ lookupId: view, view, entityIds: [userId] });
    stream.end();
  });
}

function shuffled(ids: readonly string[], rng: Rng): string[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j] as string, out[i] as string];
  }
  return out;
}
