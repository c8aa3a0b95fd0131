import { status } from "@grpc/grpc-js";
import type { Logger } from "pino";
import {
  GenerateRequest,
  SourceStatus,
  type CandidateServiceClient,
  type Candidate as ProtoCandidate,
  type SourceReport as ProtoSourceReport,
} from "../../../gen/recmesh/candidate/v1/candidate_service.js";
import type { Dependency } from "../../kit/grpc/dependency.js";
import { unaryCall } from "../../kit/grpc/unary-call.js";
import type { CandidatePort, CandidateQuery, CandidateResult } from "../pipeline/ports.js";
import type { Candidate, SourceReport } from "../pipeline/types.js";
import type { CallBudget } from "./call-options.js";

/** A user id no one has: the candidate service answers it with popularity only. */
const ANONYMOUS_USER = "__recmesh_popular__";

const STATUS: Record<number, SourceReport["status"]> = {
  [SourceStatus.SOURCE_STATUS_OK]: "ok",
  [SourceStatus.SOURCE_STATUS_TIMED_OUT]: "timed_out",
  [SourceStatus.SOURCE_STATUS_SKIPPED]: "skipped",
  [SourceStatus.SOURCE_STATUS_FAILED]: "failed",
};

export function toCandidate(c: ProtoCandidate): Candidate {
  return { itemId: c.itemId, retrievalScore: c.score, sources: c.sources.map((s) => s.source), category: c.category };
}

export function toSourceReport(r: ProtoSourceReport): SourceReport {
  const latency = r.latency ? Number(r.latency.seconds) * 1000 + r.latency.nanos / 1e6 : 0;
  return { source: r.source, status: STATUS[r.status] ?? "failed", reason: r.reason, returned: r.returned, latencyMs: latency };
}

/**
 * Candidates from the candidate service, and a cached global popular list
 * refreshed in the background while the service is up: the fallback served
 * when it is down.
 */
export class CandidateClient implements CandidatePort {
  private cached: Candidate[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: CandidateServiceClient,
    private readonly dependency: Dependency,
    private readonly budget: CallBudget,
    private readonly logger: Logger,
  ) {}

  async generate(q: CandidateQuery, deadline: number, timeoutMs = this.budget.timeoutMs): Promise<CandidateResult> {
    const request = GenerateRequest.create({
      userId: q.userId,
      k: q.k,
      context: { attributes: q.context },
      excludeItemIds: q.exclude,
      sourceQuotas: q.quotas,
    });
    const res = await this.dependency.call((d) => unaryCall(this.client.generate.bind(this.client), request, { deadline: d }), {
      timeoutMs,
      parentDeadline: deadline,
      marginMs: this.budget.marginMs,
    });
    return { candidates: res.candidates.map(toCandidate), sources: res.sources.map(toSourceReport), unknownUser: res.unknownUser };
  }

  popular(): Candidate[] {
    return this.cached;
  }

  /** Refreshes the popular list now and then every `everyMs`. */
  async startPopularRefresh(size: number, everyMs: number): Promise<void> {
    const refresh = async () => {
      try {
        // Background work, not a request: it may take longer than a request's candidate budget.
        const r = await this.generate({ userId: ANONYMOUS_USER, k: size, context: {}, exclude: [], quotas: {} }, Date.now() + 5_000, 5_000);
        if (r.candidates.length > 0) this.cached = r.candidates;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code !== status.UNAVAILABLE) this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, "popular list refresh failed");
      }
    };
    await refresh();
    this.timer = setInterval(() => void refresh(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
