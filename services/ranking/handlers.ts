import { status } from "@grpc/grpc-js";
import type { Logger } from "pino";
import {
  ListModelsResponse,
  ModelStatus as ProtoModelStatus,
  RankResponse,
  RankStreamResponse,
  type ListModelsRequest,
  type RankRequest,
  type RankStreamRequest,
  type RankingServiceServer,
} from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { InvalidArgumentError } from "../kit/errors/errors.js";
import { toStatus } from "../kit/errors/status.js";
import { RpcAdapter } from "../kit/grpc/handlers.js";
import { manifestFromContract } from "./adapters/manifest-codec.js";
import { rowsByView } from "./adapters/feature-block-codec.js";
import type { ModelManager, ModelState } from "./model/model-manager.js";
import type { Ranker, RankInput, RankOutput } from "./ranker.js";

const STATE: Record<ModelState, ProtoModelStatus> = {
  loading: ProtoModelStatus.MODEL_STATUS_LOADING,
  warming: ProtoModelStatus.MODEL_STATUS_WARMING,
  serving: ProtoModelStatus.MODEL_STATUS_SERVING,
  draining: ProtoModelStatus.MODEL_STATUS_DRAINING,
  rejected: ProtoModelStatus.MODEL_STATUS_REJECTED,
};

export interface RankingHandlerDeps {
  ranker: Ranker;
  models: ModelManager;
  requestedProvider: string;
  logger: Logger;
  defaultDeadlineMs: number;
}

export function rankingHandlers(deps: RankingHandlerDeps): RankingServiceServer {
  const rpc = new RpcAdapter("RankingService", deps.logger, deps.defaultDeadlineMs);
  return {
    rank: rpc.unary("Rank", async (req: RankRequest, call) => {
      const out = await deps.ranker.rank({
        userId: req.userId,
        userFeatures: rowsByView(req.userFeatures, "user_features"),
        itemIds: req.itemIds,
        itemFeatures: rowsByView(req.itemFeatures, "item_features", req.itemIds),
        model: req.model,
        deadline: call.deadline,
        signal: call.signal,
      });
      return RankResponse.create({
        scores: [...out.scores],
        order: [...out.order],
        model: out.model,
        defaultedItems: out.defaultedItems,
        nonFiniteItems: out.nonFiniteItems,
        executionProvider: out.provider,
      });
    }),

    rankStream: rpc.bidi("RankStream", async function* (requests: AsyncIterable<RankStreamRequest>, call) {
      let setup: Omit<RankInput, "itemIds" | "itemFeatures" | "deadline"> | undefined;
      for await (const req of requests) {
        const message = req.message;
        if (message?.$case === "setup") {
          const s = message.value;
          setup = { userId: s.userId, userFeatures: rowsByView(s.userFeatures, "setup.user_features"), model: s.model, signal: call.signal };
          continue;
        }
        if (message?.$case !== "chunk") throw new InvalidArgumentError("message", "each message must be a setup or a chunk");
        if (!setup) throw new InvalidArgumentError("setup", "the first message of a RankStream must be a setup");
        const chunk = message.value;
        try {
          const out = await deps.ranker.rank({
            ...setup,
            itemIds: chunk.itemIds,
            itemFeatures: rowsByView(chunk.itemFeatures, "chunk.item_features", chunk.itemIds),
            deadline: call.deadline === Infinity ? Date.now() + deps.defaultDeadlineMs : call.deadline,
          });
          yield chunkResponse(chunk.chunkId, out);
        } catch (err) {
          const s = toStatus(err, call.logger);
          if (s.code === status.INTERNAL) throw err;
          yield RankStreamResponse.create({ chunkId: chunk.chunkId, error: { code: s.code, message: s.details } });
        }
      }
    }),

    listModels: rpc.unary("ListModels", async (_req: ListModelsRequest) =>
      ListModelsResponse.create({
        requestedProvider: deps.requestedProvider,
        models: deps.models.statuses().map((m) => ({
          manifest: manifestFromContract(m.contract),
          status: STATE[m.state],
          executionProvider: m.provider ?? "",
          rejectionReason: m.rejectionReason ?? "",
          providerFallbackReason: m.fallbackReason ?? "",
          loadedAt: m.loadedAt,
          isDefault: m.isDefault,
        })),
      }),
    ),
  };
}

function chunkResponse(chunkId: string, out: RankOutput): RankStreamResponse {
  return RankStreamResponse.create({
    chunkId,
    scores: [...out.scores],
    model: out.model,
    defaultedItems: out.defaultedItems,
    nonFiniteItems: out.nonFiniteItems,
  });
}
