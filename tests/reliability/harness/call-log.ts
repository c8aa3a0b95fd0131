import { status } from "@grpc/grpc-js";
import { DegradedComponent } from "../../../gen/recmesh/recommender/v1/recommender_service.js";

/** One Recommend call as the client saw it. */
export interface RecommendRecord {
  startedAt: number;
  endedAt: number;
  /** Client deadline (epoch ms). */
  deadline: number;
  /** gRPC status code (0 = OK). */
  code: number;
  /** DegradedComponent values of an answer. */
  degraded: number[];
  requestId: string;
  items: number;
}

/** One tracked interaction, through all its attempts (retried with the same event id until acknowledged). */
export interface TrackRecord {
  eventId: string;
  userId: string;
  itemId: string;
  kind: "view" | "click";
  firstAttemptAt: number;
  attempts: number;
  /** Track returned OK (on some attempt). */
  acked: boolean;
  /** Codes of failed attempts. */
  failures: number[];
  /** Attempts that ran past their deadline plus slack. */
  overdue: number;
}

export interface LoadSummary {
  sent: number;
  answered: number;
  degraded: number;
  /** Degraded answers by component (an answer may name several). */
  degradedBy: Record<string, number>;
  failed: number;
  /** Failed calls by status name. */
  failedByCode: Record<string, number>;
  shed: number;
  /** Calls (Recommend and Track attempts) that ended later than their deadline plus slack: hangs. */
  overdue: number;
  /** Calls the generator could not start because too many were in flight (the system stopped answering). */
  notStarted: number;
  maxLatencyMs: number;
  /** Interactions the load tracked (each retried until acknowledged or out of time). */
  tracks: number;
  tracked: number;
  trackAttempts: number;
  trackFailedAttempts: number;
}

export function codeName(code: number): string {
  return status[code] ?? String(code);
}

function componentName(d: DegradedComponent): string {
  return (DegradedComponent[d] ?? String(d)).replace("DEGRADED_COMPONENT_", "");
}

export function isOverdue(r: { endedAt: number; deadline: number }, slackMs: number): boolean {
  return r.endedAt > r.deadline + slackMs;
}

export function summarize(recommends: readonly RecommendRecord[], tracks: readonly TrackRecord[], slackMs: number, notStarted: number): LoadSummary {
  const failed = recommends.filter((r) => r.code !== status.OK);
  const failedByCode: Record<string, number> = {};
  for (const r of failed) failedByCode[codeName(r.code)] = (failedByCode[codeName(r.code)] ?? 0) + 1;
  const degradedBy: Record<string, number> = {};
  for (const r of recommends) for (const d of r.degraded) degradedBy[componentName(d)] = (degradedBy[componentName(d)] ?? 0) + 1;
  return {
    sent: recommends.length,
    answered: recommends.length - failed.length,
    degraded: recommends.filter((r) => r.code === status.OK && r.degraded.length > 0).length,
    degradedBy,
    failed: failed.length,
    failedByCode,
    shed: failedByCode.RESOURCE_EXHAUSTED ?? 0,
    overdue: recommends.filter((r) => isOverdue(r, slackMs)).length + tracks.reduce((n, t) => n + t.overdue, 0),
    notStarted,
    maxLatencyMs: recommends.reduce((max, r) => Math.max(max, r.endedAt - r.startedAt), 0),
    tracks: tracks.length,
    tracked: tracks.filter((t) => t.acked).length,
    trackAttempts: tracks.reduce((n, t) => n + t.attempts, 0),
    trackFailedAttempts: tracks.reduce((n, t) => n + t.failures.length, 0),
  };
}
