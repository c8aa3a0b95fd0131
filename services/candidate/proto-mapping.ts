import {
  Candidate as ProtoCandidate,
  GenerateResponse,
  SourceReport as ProtoSourceReport,
  SourceStatus,
  StreamGenerateResponse,
  type GenerateRequest,
} from "../../gen/recmesh/candidate/v1/candidate_service.js";
import type { Candidate, GenerateEvent, GenerateResult, SourceReport } from "./domain/candidate-types.js";
import type { GenerateInput } from "./domain/query-validation.js";

const STATUS: Record<SourceReport["status"], SourceStatus> = {
  ok: SourceStatus.SOURCE_STATUS_OK,
  timed_out: SourceStatus.SOURCE_STATUS_TIMED_OUT,
  skipped: SourceStatus.SOURCE_STATUS_SKIPPED,
  failed: SourceStatus.SOURCE_STATUS_FAILED,
};

export function inputFromProto(req: GenerateRequest | undefined): GenerateInput {
  return {
    userId: req?.userId ?? "",
    k: req?.k ?? 0,
    attributes: req?.context?.attributes ?? {},
    sources: req?.sources ?? [],
    excludeItemIds: req?.excludeItemIds ?? [],
    sourceQuotas: req?.sourceQuotas ?? {},
    category: req?.category ?? "",
  };
}

function candidateToProto(c: Candidate): ProtoCandidate {
  return { itemId: c.itemId, score: c.score, sources: c.sources, category: c.category };
}

function reportToProto(r: SourceReport): ProtoSourceReport {
  const nanos = Math.round(r.latencyMs * 1e6);
  return {
    source: r.source,
    status: STATUS[r.status],
    reason: r.reason,
    returned: r.returned,
    latency: { seconds: String(Math.floor(nanos / 1e9)), nanos: nanos % 1e9 },
  };
}

export function resultToProto(result: GenerateResult): GenerateResponse {
  return GenerateResponse.create({
    candidates: result.candidates.map(candidateToProto),
    sources: result.sources.map(reportToProto),
    unknownUser: result.unknownUser,
    excluded: result.excluded,
  });
}

export function eventToProto(event: GenerateEvent): StreamGenerateResponse {
  if (event.kind === "summary") return StreamGenerateResponse.create({ result: { $case: "summary", value: resultToProto(event.result) } });
  return StreamGenerateResponse.create({
    result: { $case: "sourceBatch", value: { report: reportToProto(event.report), candidates: event.candidates.map(candidateToProto) } },
  });
}
