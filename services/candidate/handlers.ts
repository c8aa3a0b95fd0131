import type { Logger } from "pino";
import type { CandidateServiceServer, GenerateRequest, StreamGenerateRequest } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import { RpcAdapter } from "../kit/grpc/handlers.js";
import type { CandidateGenerator } from "./domain/candidate-generator.js";
import { validateQuery, type QueryLimits } from "./domain/query-validation.js";
import type { SourceRegistry } from "./domain/source-registry.js";
import { eventToProto, inputFromProto, resultToProto } from "./proto-mapping.js";

export interface CandidateHandlerDeps {
  generator: CandidateGenerator;
  registry: SourceRegistry;
  limits: QueryLimits;
  logger: Logger;
  defaultDeadlineMs: number;
}

export function candidateHandlers(deps: CandidateHandlerDeps): CandidateServiceServer {
  const rpc = new RpcAdapter("CandidateService", deps.logger, deps.defaultDeadlineMs);
  return {
    generate: rpc.unary("Generate", async (req: GenerateRequest, call) => {
      const query = validateQuery(inputFromProto(req), deps.registry, deps.limits);
      return resultToProto(await deps.generator.generate(query, call));
    }),

    streamGenerate: rpc.serverStream("StreamGenerate", async function* (req: StreamGenerateRequest, call) {
      const query = validateQuery(inputFromProto(req.request), deps.registry, deps.limits, "request.");
      const deadline = call.deadline === Infinity ? Date.now() + deps.defaultDeadlineMs : call.deadline;
      for await (const event of deps.generator.events(query, { deadline, signal: call.signal })) yield eventToProto(event);
    }),
  };
}
