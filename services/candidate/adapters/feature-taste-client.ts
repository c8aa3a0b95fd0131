import { status } from "@grpc/grpc-js";
import { FeatureStatus } from "../../../gen/recmesh/common/v1/features.js";
import { GetFeaturesRequest, type FeatureServiceClient } from "../../../gen/recmesh/feature/v1/feature_service.js";
import { DeadlineExceededError, UnavailableError } from "../../kit/errors/errors.js";
import { isServiceError } from "../../kit/errors/status.js";
import { isDependencyFailure, type Dependency } from "../../kit/grpc/dependency.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import type { TasteEmbeddings } from "../sources/taste-embeddings.js";

/** The shared feature name of a user's taste embedding. */
export const TASTE_FEATURE = "user_taste:embedding";

/**
 * Taste embeddings from the feature service's GetFeatures, behind the feature
 * dependency's circuit breaker. MISSING means the user has none; a dependency
 * failure (down, slow, breaker open) becomes UnavailableError.
 */
export class FeatureTasteClient implements TasteEmbeddings {
  constructor(
    private readonly client: FeatureServiceClient,
    private readonly dependency: Dependency,
    private readonly timeoutMs: number,
    private readonly dimension: number,
  ) {}

  async tasteOf(userId: string, options: { deadline: number; signal: AbortSignal }): Promise<Float32Array | undefined> {
    const request = GetFeaturesRequest.create({ entityIds: [userId], features: [TASTE_FEATURE] });
    let response;
    try {
      response = await this.dependency.call(
        (deadline) => unaryCall(this.client.getFeatures.bind(this.client), request, { deadline, signal: options.signal }),
        { timeoutMs: this.timeoutMs, parentDeadline: options.deadline },
      );
    } catch (err) {
      if (err instanceof UnavailableError || err instanceof DeadlineExceededError) throw err;
      if (isServiceError(err) && err.code !== status.CANCELLED && isDependencyFailure(err)) {
        throw new UnavailableError(`${status[err.code]}: ${err.details}`, { cause: err });
      }
      throw err;
    }
    const value = response.entities[0]?.values[0];
    if (!value || value.status === FeatureStatus.FEATURE_STATUS_MISSING) return undefined;
    const kind = value.value?.kind;
    if (kind?.$case !== "vectorValue" || kind.value.values.length !== this.dimension) {
      throw new Error(`${TASTE_FEATURE} is not a ${this.dimension}-dimensional vector`);
    }
    return Float32Array.from(kind.value.values);
  }
}
