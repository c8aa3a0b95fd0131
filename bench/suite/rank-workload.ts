/**
 * The Rank calls the suite sends: for a few world users, the 500 candidates
 * the candidate service generates and the user's feature blocks (what the
 * recommender passes), plus — for the raw session.run floor — the exact model
 * input the ranking service builds for each call (same rows, same plan).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Metadata } from "@grpc/grpc-js";
import { GenerateRequest } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import { EntityType, type FeatureBlock } from "../../gen/recmesh/common/v1/features.js";
import { ListFeatureViewsRequest, type FeatureServiceClient, type StreamFeaturesResponse } from "../../gen/recmesh/feature/v1/feature_service.js";
import { RankRequest } from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { rowsByView } from "../../services/ranking/adapters/feature-block-codec.js";
import { layoutOf } from "../../services/ranking/adapters/feature-views-client.js";
import { contractFromManifestJson } from "../../services/ranking/adapters/manifest-codec.js";
import { planInputs } from "../../services/ranking/model/feature-layout.js";
import type { ModelContract } from "../../services/ranking/model/model-contract.js";
import { assembleRows } from "../../services/ranking/scoring/row-assembler.js";
import { callDeadline, type SuiteClients } from "./suite-clients.js";

export const MODEL_DIR = fileURLToPath(new URL("../../models/ctr-mlp", import.meta.url));
export const CANDIDATES = 500;

/** The n-th element of a non-empty list, cycling. */
export function cycle<T>(list: readonly T[], n: number): T {
  if (list.length === 0) throw new Error("cycle over an empty list");
  return list[n % list.length] as T;
}

export interface RankWorkload {
  contract: ModelContract;
  modelBytes: Uint8Array;
  /** Rank requests of 500 candidates each. */
  requests: RankRequest[];
  /** inputs[i]: the model input (500 × width float32) the service assembles for requests[i]. */
  inputs: Float32Array[];
  /** Item ids of the same calls, for StreamFeatures and MGET. */
  itemIds: string[][];
}

/** Answers of one StreamFeatures call with one lookup per entry, in order. */
export function streamLookup(client: FeatureServiceClient, lookups: { view: string; entityIds: string[] }[]): Promise<FeatureBlock[]> {
  return new Promise((resolve, reject) => {
    const blocks: FeatureBlock[] = [];
    const stream = client.streamFeatures(new Metadata(), { deadline: callDeadline() });
    stream.on("data", (r: StreamFeaturesResponse) => {
      if (r.block) blocks.push(r.block);
      else reject(new Error(`lookup ${r.lookupId} failed: ${r.error?.message ?? "no block"}`));
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(blocks));
    lookups.forEach((l, i) => stream.write({ lookupId: String(i), view: l.view, entityIds: l.entityIds }));
    stream.end();
  });
}

export async function rankWorkload(clients: Pick<SuiteClients, "feature" | "candidate">, users: string[], size: number): Promise<RankWorkload> {
  const contract = contractFromManifestJson(readFileSync(join(MODEL_DIR, "manifest.json"), "utf8"));
  const modelBytes = new Uint8Array(readFileSync(join(MODEL_DIR, contract.file)));
  const views = (await unaryCall(clients.feature.listFeatureViews.bind(clients.feature), ListFeatureViewsRequest.create(), { deadline: callDeadline() })).views;
  const layouts = new Map(views.map((v) => [v.name, layoutOf(v)]));
  const plan = planInputs(contract, layouts);
  const userViews = views.filter((v) => v.entityType === EntityType.ENTITY_TYPE_USER).map((v) => v.name);
  const itemViews = plan.item.map((s) => s.view.name);

  const workload: RankWorkload = { contract, modelBytes, requests: [], inputs: [], itemIds: [] };
  for (const userId of users) {
    if (workload.requests.length >= size) break;
    const generated = await unaryCall(clients.candidate.generate.bind(clients.candidate), GenerateRequest.fromPartial({ userId, k: CANDIDATES }), {
      deadline: callDeadline(),
    });
    if (generated.candidates.length < CANDIDATES) continue;
    const itemIds = generated.candidates.map((c) => c.itemId);
    const userBlocks = await streamLookup(clients.feature, userViews.map((view) => ({ view, entityIds: [userId] })));
    const itemBlocks = await streamLookup(clients.feature, itemViews.map((view) => ({ view, entityIds: itemIds })));
    const assembled = assembleRows(plan, rowsByView(userBlocks, "user"), rowsByView(itemBlocks, "items"), CANDIDATES);
    workload.requests.push(RankRequest.fromPartial({ userId, userFeatures: userBlocks, itemIds }));
    workload.inputs.push(assembled.input);
    workload.itemIds.push(itemIds);
  }
  if (workload.requests.length === 0) throw new Error(`no user of the world got ${CANDIDATES} candidates`);
  return workload;
}
