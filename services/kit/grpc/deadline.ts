import type { Deadline } from "@grpc/grpc-js";

/** Milliseconds left until a gRPC deadline (Infinity when none was set). */
export function remainingMs(deadline: Deadline, now: number = Date.now()): number {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return at === Infinity ? Infinity : at - now;
}

/** The deadline as epoch milliseconds (Infinity when none was set). */
export function deadlineMs(deadline: Deadline): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/**
 * Deadline for a downstream call: its own timeout, cut to what is left of the
 * caller's deadline minus a margin for the work after the call returns.
 */
export function childDeadline(parentMs: number, timeoutMs: number, marginMs: number, now: number = Date.now()): number {
  return Math.min(now + timeoutMs, parentMs - marginMs);
}
