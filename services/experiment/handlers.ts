import type { Logger } from "pino";
import { ExperimentStatus as ProtoStatus } from "../../gen/recmesh/experiment/v1/experiment.js";
import type {
  AssignRequest,
  AssignResponse,
  DeleteExperimentRequest,
  DeleteExperimentResponse,
  ExperimentServiceServer,
  GetExperimentRequest,
  GetExperimentResponse,
  GetResultsRequest,
  GetResultsResponse,
  ListExperimentsRequest,
  ListExperimentsResponse,
  PutExperimentRequest,
  PutExperimentResponse,
  WatchExperimentsRequest,
  WatchExperimentsResponse,
} from "../../gen/recmesh/experiment/v1/experiment_service.js";
import { InvalidArgumentError } from "../kit/errors/errors.js";
import { RpcAdapter } from "../kit/grpc/handlers.js";
import { statusFromProto, toDefinition, toProtoAssignment, toProtoExperiment, toResultsResponse } from "./adapters/proto-mapping.js";
import { LIMITS } from "./domain/definition-validation.js";
import type { ExperimentAnalysis } from "./domain/experiment-analysis.js";
import type { ExperimentCatalog } from "./domain/experiment-catalog.js";
import type { ExperimentRegistry } from "./domain/experiment-registry.js";
import { watchExperiments } from "./watch-stream.js";

/** Most experiment names one Assign may filter on. */
export const MAX_ASSIGN_FILTER = 100;

export interface ExperimentHandlerDeps {
  registry: ExperimentRegistry;
  catalog: ExperimentCatalog;
  analysis: ExperimentAnalysis;
  /** True while the definitions could not be refreshed from the KV bucket. */
  isStale: () => boolean;
  logger: Logger;
  defaultDeadlineMs: number;
  /** Clock of assignment: start/end windows are checked against it. */
  clock: () => number;
}

/** gRPC handlers: validate, call the domain, map to proto. */
export function experimentHandlers(deps: ExperimentHandlerDeps): ExperimentServiceServer {
  const { registry, catalog, analysis, clock } = deps;
  const rpc = new RpcAdapter("ExperimentService", deps.logger, deps.defaultDeadlineMs);
  return {
    assign: rpc.unary("Assign", async (req: AssignRequest): Promise<AssignResponse> => {
      if (req.userId === "") throw new InvalidArgumentError("user_id", "must not be empty");
      if (req.userId.length > LIMITS.userIdChars) throw new InvalidArgumentError("user_id", `must be at most ${LIMITS.userIdChars} characters`);
      if (req.experiments.length > MAX_ASSIGN_FILTER) throw new InvalidArgumentError("experiments", `must list at most ${MAX_ASSIGN_FILTER} names`);
      const now = clock();
      const only = req.experiments.length > 0 ? new Set(req.experiments) : undefined;
      const assignments = registry.set.assign(req.userId, req.context?.attributes ?? {}, now, only);
      return { assignments: assignments.map(toProtoAssignment), stale: deps.isStale(), revision: String(registry.revision) };
    }),

    putExperiment: rpc.unary("PutExperiment", async (req: PutExperimentRequest, call): Promise<PutExperimentResponse> => {
      if (!req.experiment) throw new InvalidArgumentError("experiment", "is required");
      const stored = await catalog.put(toDefinition(req.experiment), revisionOf(req.expectedRevision, "expected_revision"), call.signal);
      return { experiment: toProtoExperiment(stored.definition), revision: String(stored.revision) };
    }),

    getExperiment: rpc.unary("GetExperiment", async (req: GetExperimentRequest): Promise<GetExperimentResponse> => {
      const stored = catalog.get(req.name);
      return { experiment: toProtoExperiment(stored.definition), revision: String(stored.revision) };
    }),

    listExperiments: rpc.unary("ListExperiments", async (req: ListExperimentsRequest): Promise<ListExperimentsResponse> => {
      if (req.status !== ProtoStatus.EXPERIMENT_STATUS_UNSPECIFIED && statusFromProto(req.status) === "unspecified") {
        throw new InvalidArgumentError("status", `unknown status ${req.status}`);
      }
      const page = catalog.list(statusFromProto(req.status), req.pageSize, req.pageToken);
      return { experiments: page.items.map((s) => toProtoExperiment(s.definition)), nextPageToken: page.nextPageToken };
    }),

    deleteExperiment: rpc.unary("DeleteExperiment", async (req: DeleteExperimentRequest, call): Promise<DeleteExperimentResponse> => {
      return { revision: String(await catalog.delete(req.name, call.signal)) };
    }),

    watchExperiments: rpc.serverStream("WatchExperiments", (req: WatchExperimentsRequest, call): AsyncIterable<WatchExperimentsResponse> =>
      watchExperiments(registry, req, call),
    ),

    getResults: rpc.unary("GetResults", async (req: GetResultsRequest): Promise<GetResultsResponse> => {
      return toResultsResponse(await analysis.results(req.name), new Date());
    }),
  };
}

/** uint64 fields arrive as decimal strings (forceLong=string). */
function revisionOf(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(field, `must be a revision number, got "${value}"`);
  return n;
}
