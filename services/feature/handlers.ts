import { status } from "@grpc/grpc-js";
import type { Logger } from "pino";
import type {
  FeatureServiceServer,
  GetFeaturesRequest,
  GetFeaturesResponse,
  ListFeatureViewsResponse,
  StreamFeaturesRequest,
  StreamFeaturesResponse,
  WriteFeaturesRequest,
  WriteFeaturesResponse,
} from "../../gen/recmesh/feature/v1/feature_service.js";
import { InvalidArgumentError } from "../kit/errors/errors.js";
import { RpcAdapter } from "../kit/grpc/handlers.js";
import type { ServiceMetrics } from "../kit/telemetry/metrics.js";
import { blockToProto, entityValuesToProto, viewToProto, writeInputFromProto } from "./adapters/proto-mapping.js";
import type { FeatureWriter } from "./adapters/feature-writer.js";
import type { FeatureQueries } from "./domain/feature-queries.js";
import { ROW_STATUS, type RowBlock } from "./domain/feature-reader.js";
import { answerInOrder } from "./domain/ordered-window.js";
import type { FeatureRegistry } from "./registry/feature-registry.js";

export interface FeatureHandlerDeps {
  registry: FeatureRegistry;
  queries: FeatureQueries;
  writer: FeatureWriter;
  logger: Logger;
  metrics: ServiceMetrics;
  defaultDeadlineMs: number;
  /** StreamFeatures lookups in flight per stream. */
  streamWindow: number;
}

export function featureHandlers(deps: FeatureHandlerDeps): FeatureServiceServer {
  const rpc = new RpcAdapter("FeatureService", deps.logger, deps.defaultDeadlineMs);
  const views: ListFeatureViewsResponse = { views: deps.registry.views.map(viewToProto) };
  const rowsServed = deps.metrics.counter("recmesh_feature_rows_served_total", "Rows served by StreamFeatures, by view and status.", ["view", "status"]);
  const countRows = (rows: RowBlock) => {
    const counts = [0, 0, 0, 0];
    for (const s of rows.statuses) counts[s] = (counts[s] ?? 0) + 1;
    for (const [name, code] of Object.entries(ROW_STATUS)) {
      if (counts[code]) rowsServed.inc({ view: rows.view.name, status: name }, counts[code]);
    }
  };

  /** One lookup of the stream: a block, or an error for this lookup alone when the request was bad. */
  const lookup = async (req: StreamFeaturesRequest): Promise<StreamFeaturesResponse> => {
    try {
      const rows = await deps.queries.rows(req.view, req.entityIds);
      countRows(rows);
      return { lookupId: req.lookupId, block: blockToProto(rows), error: undefined };
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      return { lookupId: req.lookupId, block: undefined, error: { code: status.INVALID_ARGUMENT, message: err.message, field: err.field } };
    }
  };

  return {
    getFeatures: rpc.unary("GetFeatures", async (req: GetFeaturesRequest): Promise<GetFeaturesResponse> => {
      const entities = await deps.queries.namedValues(req.entityIds, req.features);
      return { entities: entities.map(entityValuesToProto) };
    }),

    streamFeatures: rpc.bidi("StreamFeatures", (requests: AsyncIterable<StreamFeaturesRequest>) =>
      answerInOrder(requests, lookup, deps.streamWindow),
    ),

    writeFeatures: rpc.unary("WriteFeatures", async (req: WriteFeaturesRequest, call): Promise<WriteFeaturesResponse> => {
      const result = await deps.writer.write(req.view, writeInputFromProto(req.entities), req.source, call.signal);
      return { writtenEntities: result.writtenEntities, eventId: result.eventId };
    }),

    listFeatureViews: rpc.unary("ListFeatureViews", async (): Promise<ListFeatureViewsResponse> => views),
  };
}
