import { EntityType, type FeatureValue } from "../../../gen/recmesh/common/v1/features.js";
import { ListFeatureViewsRequest, type FeatureServiceClient, type FeatureView } from "../../../gen/recmesh/feature/v1/feature_service.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import type { ViewLayout } from "../model/feature-layout.js";

/** Reads the feature registry from the feature service as column layouts. */
export async function fetchViewLayouts(client: FeatureServiceClient, timeoutMs: number): Promise<Map<string, ViewLayout>> {
  const res = await unaryCall(client.listFeatureViews.bind(client), ListFeatureViewsRequest.create(), { deadline: Date.now() + timeoutMs });
  return new Map(res.views.map((v) => [v.name, layoutOf(v)]));
}

export function layoutOf(view: FeatureView): ViewLayout {
  const features = new Map<string, { offset: number; dimension: number }>();
  const defaultRow = new Float32Array(view.width);
  for (const f of view.features) {
    const dimension = Math.max(1, f.dimension);
    features.set(f.name, { offset: f.offset, dimension });
    defaultRow.set(defaultValues(f.defaultValue, dimension), f.offset);
  }
  return {
    name: view.name,
    entity: view.entityType === EntityType.ENTITY_TYPE_USER ? "user" : "item",
    version: view.version,
    width: view.width,
    features,
    defaultRow,
  };
}

function defaultValues(value: FeatureValue | undefined, dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  const kind = value?.kind;
  if (!kind) return out;
  switch (kind.$case) {
    case "floatValue":
      return out.fill(kind.value);
    case "intValue":
      return out.fill(Number(kind.value));
    case "boolValue":
      return out.fill(kind.value ? 1 : 0);
    case "vectorValue":
      out.set(kind.value.values.slice(0, dimension));
      return out;
  }
}
