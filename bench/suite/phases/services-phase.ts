import type { Redis } from "ioredis";
import { GenerateRequest } from "../../../gen/recmesh/candidate/v1/candidate_service.js";
import { AssignRequest } from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import { storageKey } from "../../../services/feature/domain/row-store.js";
import { FeatureRegistry } from "../../../services/feature/registry/feature-registry.js";
import { FEATURE_VIEWS } from "../../../services/feature/registry/feature-views.js";
import { FeatureServiceClient } from "../../../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceClient } from "../../../gen/recmesh/ranking/v1/ranking_service.js";
import { createClient } from "../../../services/kit/grpc/client-factory.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { closedLoop, interleaved } from "../load-generator.js";
import { phaseResult, type PhaseResult } from "../phase-result.js";
import { CANDIDATES, cycle, streamLookup, type RankWorkload } from "../rank-workload.js";
import { rawSession } from "../raw-onnx-session.js";
import { callDeadline, type SuiteClients } from "../suite-clients.js";
import type { SuiteSettings } from "../suite-settings.js";
import type { ExtraInstance, SuiteStack } from "../suite-stack.js";
import { startTransportFloor } from "../transport-floor.js";

/** A service figure and, where the suite has one, its floor measured interleaved with it. */
export interface ServiceFigure {
  name: string;
  service: PhaseResult;
  floorName?: string;
  floor?: PhaseResult;
}

const CHANNEL = { maxMessageBytes: 64 * 1024 * 1024 };
const RUN_FLOOR = "raw onnxruntime session.run, same model and input";
const MGET_FLOOR = "raw Redis MGET of the same keys";
/** Figures whose name starts with this are the transport floor's (bench/suite/transport-floor-server.ts). */
export const TRANSPORT_FLOOR = "gRPC transport floor";

/** Runs `body` against an extra process of the stack, which runs only meanwhile. */
async function alongside(started: Promise<ExtraInstance>, body: (address: string) => Promise<void>): Promise<void> {
  const instance = await started;
  try {
    await body(instance.address);
  } finally {
    await instance.stop();
  }
}

/**
 * One caller back to back per figure: Rank of 500 candidates, through the
 * stack's ranking (item cache on, the default), through a second instance
 * with the cache off, and through the transport floor (a kit gRPC server
 * whose Rank is one session.run), each interleaved with one raw session.run
 * on the same input and nothing else (a third process answering between the
 * calls of a pair made the stack's ranking measurably slower on 2 cores), and
 * each extra process running only for its own figures; StreamFeatures of 500
 * items, through the feature service and through the transport floor, against
 * a raw MGET of the same keys; Generate k=500; Assign.
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

  const content = new FeatureRegistry(FEATURE_VIEWS).view("item_content", "view");
  const session = await rawSession(workload.modelBytes, workload.contract, { intraOpThreads: 1, allowSpinning: false });
  const [firstBlock] = await streamLookup(clients.feature, [{ view: content.name, entityIds: cycle(workload.itemIds, 0) }]);
  if (!firstBlock) throw new Error(`the feature service answered no ${content.name} block`);
  const run = (n: number) => session.run(cycle(workload.inputs, n), CANDIDATES);
  const mget = (n: number) => redis.mgetBuffer(cycle(workload.itemIds, n).map((id) => storageKey(content, id)));
  const lookup = (client: FeatureServiceClient) => (n: number) => streamLookup(client, [{ view: content.name, entityIds: cycle(workload.itemIds, n) }]);
  const rank = (client: RankingServiceClient) => (n: number) => unaryCall(client.rank.bind(client), cycle(workload.requests, n), { deadline: callDeadline() });
  const pair = async (name: string, service: (n: number) => Promise<unknown>, floorName: string, floor: (n: number) => Promise<unknown>) => {
    const [s, f] = await interleaved([service, floor], timing);
    if (s && f) figures.push({ name, service: phaseResult(s), floorName, floor: phaseResult(f) });
  };
  try {
    await pair(`Rank, ${CANDIDATES} candidates, item cache on (the default; the ${workload.requests.length} candidate lists repeat, so item rows come from the ranking's cache)`, rank(clients.ranking), RUN_FLOOR, run);
    await alongside(stack.startExtra("ranking", "no-item-cache", { RECMESH_RANKING_ITEM_CACHE_MS: "0" }), async (address) => {
      const client = createClient(RankingServiceClient, address, CHANNEL);
      await pair(`Rank, ${CANDIDATES} candidates, item cache off (every call hydrates its items from the feature service)`, rank(client), RUN_FLOOR, run).finally(() => client.close());
    });

    const [stream, raw, defaultWindow] = await interleaved([lookup(clients.feature), mget, lookup(clients.featureDefaults)], timing);
    if (stream && raw && defaultWindow) {
      figures.push({ name: `StreamFeatures, ${CANDIDATES} items of item_content (one stream per lookup; kit channel, 4 MB HTTP/2 window)`, service: phaseResult(stream), floorName: MGET_FLOOR, floor: phaseResult(raw) });
      figures.push({ name: "… the same through a channel with grpc-js defaults (64 KB HTTP/2 window)", service: phaseResult(defaultWindow), floorName: MGET_FLOOR, floor: phaseResult(raw) });
    }

    await alongside(startTransportFloor(stack, cycle(workload.inputs, 0), firstBlock), async (address) => {
      const ranking = createClient(RankingServiceClient, address, CHANNEL);
      const feature = createClient(FeatureServiceClient, address, CHANNEL);
      try {
        await pair(`${TRANSPORT_FLOOR}: Rank answered by one session.run on a stored input (no ranking code)`, rank(ranking), RUN_FLOOR, run);
        await pair(`${TRANSPORT_FLOOR}: StreamFeatures answered with a stored ${CANDIDATES}-row block (no Redis)`, lookup(feature), MGET_FLOOR, mget);
      } finally {
        ranking.close();
        feature.close();
      }
    });
  } finally {
    await session.release();
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
