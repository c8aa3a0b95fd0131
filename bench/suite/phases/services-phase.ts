import type { Redis } from "ioredis";
import { GenerateRequest } from "../../../gen/recmesh/candidate/v1/candidate_service.js";
import { AssignRequest } from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import { storageKey } from "../../../services/feature/domain/row-store.js";
import { FeatureRegistry } from "../../../services/feature/registry/feature-registry.js";
import { FEATURE_VIEWS } from "../../../services/feature/registry/feature-views.js";
import { RankingServiceClient } from "../../../gen/recmesh/ranking/v1/ranking_service.js";
import { createClient } from "../../../services/kit/grpc/client-factory.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { closedLoop, interleaved } from "../load-generator.js";
import { phaseResult, type PhaseResult } from "../phase-result.js";
import { CANDIDATES, cycle, streamLookup, type RankWorkload } from "../rank-workload.js";
import { rawSession } from "../raw-onnx-session.js";
import { callDeadline, type SuiteClients } from "../suite-clients.js";
import type { SuiteSettings } from "../suite-settings.js";
import type { SuiteStack } from "../suite-stack.js";

/** A service figure and, where the suite has one, its floor measured interleaved with it. */
export interface ServiceFigure {
  name: string;
  service: PhaseResult;
  floorName?: string;
  floor?: PhaseResult;
}

/**
 * One caller back to back per figure: Rank of 500 candidates, through the
 * stack's ranking (item cache on, the default) and through a second instance
 * with the cache off, against one raw session.run on the same input;
 * StreamFeatures of 500 items against a raw MGET of the same keys;
 * Generate k=500; Assign.
 */
export async function servicesPhase(
  stack: SuiteStack,
  clients: SuiteClients,
  redis: Redis,
  workload: RankWorkload,
  users: string[],
  settings: SuiteSettings,
): Promise<ServiceFigure[]> {
  const timing = { durationMs: settings.serviceMs, warmupMs: Math.min(2_000, settings.serviceMs / 2) };
  const figures: ServiceFigure[] = [];

  const session = await rawSession(workload.modelBytes, workload.contract, { intraOpThreads: 1, allowSpinning: false });
  const uncached = await stack.startExtra("ranking", "no-item-cache", { RECMESH_RANKING_ITEM_CACHE_MS: "0" });
  const uncachedClient = createClient(RankingServiceClient, uncached.address, { maxMessageBytes: 64 * 1024 * 1024 });
  try {
    const [rank, rankUncached, run] = await interleaved(
      [
        (n) => unaryCall(clients.ranking.rank.bind(clients.ranking), cycle(workload.requests, n), { deadline: callDeadline() }),
        (n) => unaryCall(uncachedClient.rank.bind(uncachedClient), cycle(workload.requests, n), { deadline: callDeadline() }),
        (n) => session.run(cycle(workload.inputs, n), CANDIDATES),
      ],
      timing,
    );
    if (rank && rankUncached && run) {
      const floor = { floorName: "raw onnxruntime session.run, same model and input", floor: phaseResult(run) };
      figures.push({
        name: `Rank, ${CANDIDATES} candidates, item cache on (the default; the ${workload.requests.length} candidate lists repeat, so item rows come from the ranking's cache)`,
        service: phaseResult(rank),
        ...floor,
      });
      figures.push({ name: `Rank, ${CANDIDATES} candidates, item cache off (every call hydrates its items from the feature service)`, service: phaseResult(rankUncached), ...floor });
    }
  } finally {
    uncachedClient.close();
    await uncached.stop();
    await session.release();
  }

  const content = new FeatureRegistry(FEATURE_VIEWS).view("item_content", "view");
  const [stream, mget, defaultWindow] = await interleaved(
    [
      (n) => streamLookup(clients.feature, [{ view: content.name, entityIds: cycle(workload.itemIds, n) }]),
      (n) => redis.mgetBuffer(cycle(workload.itemIds, n).map((id) => storageKey(content, id))),
      (n) => streamLookup(clients.featureDefaults, [{ view: content.name, entityIds: cycle(workload.itemIds, n) }]),
    ],
    timing,
  );
  if (stream && mget && defaultWindow) {
    const floor = { floorName: "raw Redis MGET of the same keys", floor: phaseResult(mget) };
    figures.push({ name: `StreamFeatures, ${CANDIDATES} items of item_content (one stream per lookup; kit channel, 4 MB HTTP/2 window)`, service: phaseResult(stream), ...floor });
    figures.push({ name: "… the same through a channel with grpc-js defaults (64 KB HTTP/2 window)", service: phaseResult(defaultWindow), ...floor });
  }

  const generate = await closedLoop(
    (n) => unaryCall(clients.candidate.generate.bind(clients.candidate), GenerateRequest.fromPartial({ userId: cycle(users, n), k: CANDIDATES }), { deadline: callDeadline() }),
    { concurrency: 1, durationMs: settings.serviceMs },
  );
  figures.push({ name: `Generate, k=${CANDIDATES}, all sources`, service: phaseResult(generate) });

  const assign = await closedLoop(
    (n) => unaryCall(clients.experiment.assign.bind(clients.experiment), AssignRequest.fromPartial({ userId: cycle(users, n) }), { deadline: callDeadline() }),
    { concurrency: 1, durationMs: settings.serviceMs },
  );
  figures.push({ name: "Assign", service: phaseResult(assign) });
  return figures;
}
