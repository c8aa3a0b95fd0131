import { Metadata } from "@grpc/grpc-js";
import { EntityType, type FeatureBlock } from "../../../gen/recmesh/common/v1/features.js";
import {
  ListFeatureViewsRequest,
  type FeatureServiceClient,
  type StreamFeaturesResponse,
} from "../../../gen/recmesh/feature/v1/feature_service.js";
import { UnavailableError } from "../../kit/errors/errors.js";
import type { Dependency } from "../../kit/grpc/dependency.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import { injectIntoMetadata } from "../../kit/telemetry/tracing.js";
import type { UserFeaturePort, UserFeatures } from "../pipeline/ports.js";
import type { CallBudget } from "./call-options.js";

/** The user views of the feature registry, read once at start. */
export async function userViewNames(client: FeatureServiceClient, timeoutMs: number): Promise<string[]> {
  const res = await unaryCall(client.listFeatureViews.bind(client), ListFeatureViewsRequest.create(), { deadline: Date.now() + timeoutMs });
  return res.views.filter((v) => v.entityType === EntityType.ENTITY_TYPE_USER).map((v) => v.name);
}

/** The user's packed rows of every user view, in one StreamFeatures call; the payload is the FeatureBlocks ranking takes. */
export class FeatureClient implements UserFeaturePort {
  private views: string[] | undefined;

  constructor(
    private readonly client: FeatureServiceClient,
    private readonly dependency: Dependency,
    private readonly budget: CallBudget,
  ) {}

  /** The user views to fetch, once the registry has been read. */
  setViews(views: string[]): void {
    this.views = views;
  }

  fetch(userId: string, deadline: number): Promise<UserFeatures> {
    const views = this.views;
    if (!views) return Promise.reject(new UnavailableError("the feature registry has not been read yet"));
    return this.dependency.call((d) => this.lookup(userId, views, d), {
      timeoutMs: this.budget.timeoutMs,
      parentDeadline: deadline,
      marginMs: this.budget.marginMs,
    });
  }

  defaults(): UserFeatures {
    return { views: [], payload: [] satisfies FeatureBlock[] };
  }

  private lookup(userId: string, views: string[], deadline: number): Promise<UserFeatures> {
    return new Promise((resolve, reject) => {
      const blocks: FeatureBlock[] = [];
      const stream = this.client.streamFeatures(injectIntoMetadata(new Metadata()), { deadline });
      stream.on("data", (r: StreamFeaturesResponse) => {
        if (r.block) blocks.push(r.block);
        else {
          stream.cancel();
          reject(new UnavailableError(`user feature lookup ${r.lookupId} failed: ${r.error?.message ?? "no block"}`));
        }
      });
      stream.on("error", reject);
      stream.on("end", () => resolve({ views: blocks.map((b) => b.view), payload: blocks }));
      for (const view of views) stream.write({ lookupId: view, view, entityIds: [userId] });
      stream.end();
    });
  }
}
