import { status } from "@grpc/grpc-js";
import type { FeatureBlock } from "../../../gen/recmesh/common/v1/features.js";
import { RankRequest, type RankingServiceClient } from "../../../gen/recmesh/ranking/v1/ranking_service.js";
import { isServiceError } from "../../kit/errors/status.js";
import type { Dependency } from "../../kit/grpc/dependency.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import type { RankingPort, RankQuery, RankResult } from "../pipeline/ports.js";
import type { CallBudget } from "./call-options.js";

/**
 * Scores through the ranking service. A variant pinning a model the service does
 * not have (NOT_FOUND) is ranked by the default model instead of degrading.
 */
export class RankingClient implements RankingPort {
  constructor(
    private readonly client: RankingServiceClient,
    private readonly dependency: Dependency,
    private readonly budget: CallBudget,
    private readonly onUnknownModel: (model: string) => void,
  ) {}

  async rank(q: RankQuery, deadline: number): Promise<RankResult> {
    try {
      return await this.call(q, deadline);
    } catch (err) {
      if (!q.model || !isServiceError(err) || err.code !== status.NOT_FOUND) throw err;
      this.onUnknownModel(`${q.model.name}/${q.model.version}`);
      return this.call({ ...q, model: undefined }, deadline);
    }
  }

  private async call(q: RankQuery, deadline: number): Promise<RankResult> {
    const request = RankRequest.create({
      userId: q.userId,
      userFeatures: q.userFeatures.payload as FeatureBlock[],
      itemIds: q.itemIds,
      model: q.model,
      context: { attributes: q.context },
    });
    const res = await this.dependency.call((d) => unaryCall(this.client.rank.bind(this.client), request, { deadline: d }), {
      timeoutMs: this.budget.timeoutMs,
      parentDeadline: deadline,
      marginMs: this.budget.marginMs,
    });
    return { scores: res.scores, model: { name: res.model?.name ?? "", version: res.model?.version ?? "" } };
  }
}
