import { Metadata } from "@grpc/grpc-js";
import type { FeatureServiceClient, StreamFeaturesResponse } from "../../../gen/recmesh/feature/v1/feature_service.js";
import { UnavailableError } from "../../kit/errors/errors.js";
import type { Dependency } from "../../kit/grpc/dependency.js";
import { injectIntoMetadata } from "../../kit/telemetry/tracing.js";
import type { ItemFeatureSource } from "../ranker.js";
import type { FeatureRows } from "../scoring/feature-rows.js";
import { rowsFromBlock } from "./feature-block-codec.js";

/**
 * Hydrates item features with one StreamFeatures call per rank call: one lookup
 * per view, answered by packed blocks, behind the feature service's breaker.
 */
export class StreamFeaturesHydrator implements ItemFeatureSource {
  constructor(
    private readonly client: FeatureServiceClient,
    private readonly dependency: Dependency,
    private readonly timeoutMs: number,
  ) {}

  fetch(views: string[], itemIds: string[], deadline: number, signal?: AbortSignal): Promise<Map<string, FeatureRows>> {
    return this.dependency.call((callDeadline) => this.lookup(views, itemIds, callDeadline, signal), {
      timeoutMs: this.timeoutMs,
      parentDeadline: deadline,
      marginMs: 2,
    });
  }

  private lookup(views: string[], itemIds: string[], deadline: number, signal?: AbortSignal): Promise<Map<string, FeatureRows>> {
    return new Promise((resolve, reject) => {
      const stream = this.client.streamFeatures(injectIntoMetadata(new Metadata()), { deadline });
      const rows = new Map<string, FeatureRows>();
      const abort = () => stream.cancel();
      signal?.addEventListener("abort", abort, { once: true });
      stream.on("data", (res: StreamFeaturesResponse) => {
        if (res.error || !res.block) {
          stream.cancel();
          reject(new UnavailableError(`feature lookup ${res.lookupId} failed: ${res.error?.message ?? "no block"}`));
          return;
        }
        const block = rowsFromBlock(res.block, "feature service block");
        if (block.rows !== itemIds.length) {
          stream.cancel();
          reject(new UnavailableError(`feature lookup ${res.lookupId} answered ${block.rows} rows for ${itemIds.length} items`));
          return;
        }
        rows.set(res.lookupId, block);
      });
      stream.on("error", (err) => {
        signal?.removeEventListener("abort", abort);
        reject(err);
      });
      stream.on("end", () => {
        signal?.removeEventListener("abort", abort);
        if (rows.size === views.length) resolve(rows);
        else reject(new UnavailableError(`feature service answered ${rows.size} of ${views.length} lookups`));
      });
      for (const view of views) stream.write({ lookupId: view, view, entityIds: itemIds });
      stream.end();
    });
  }
}
