import { status } from "@grpc/grpc-js";
import { INTERNAL_MESSAGE } from "../../../services/kit/errors/status.js";
import { codeName } from "../harness/call-log.js";
import type { RawOutcome } from "./raw-client.js";

/** Statuses that are a proper answer to a bad request: refused with a reason, or served anyway. */
const CLEAN = new Set<number>([
  status.OK,
  status.INVALID_ARGUMENT,
  status.RESOURCE_EXHAUSTED,
  status.NOT_FOUND,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.ALREADY_EXISTS,
  status.ABORTED,
]);

export interface Expectation {
  /** Only this code is acceptable (e.g. RESOURCE_EXHAUSTED for an oversized message). */
  exactly?: number;
  /** The client cancelled the call itself. */
  cancelled?: boolean;
  /** A stream that stays open by design (it had answered before the deadline ended it). */
  longLived?: boolean;
}

/** Why an outcome is not a clean status, or undefined when it is. */
export function uncleanReason(o: RawOutcome, expect: Expectation = {}): string | undefined {
  const got = `${codeName(o.code)} "${o.details}"`;
  if (expect.exactly !== undefined) return o.code === expect.exactly ? undefined : `expected ${codeName(expect.exactly)}, got ${got}`;
  if (CLEAN.has(o.code)) return undefined;
  // Bytes that do not decode are INVALID_ARGUMENT too (services/kit/grpc/unparseable.ts): INTERNAL means a fault of ours.
  if (o.code === status.INTERNAL) return o.details === INTERNAL_MESSAGE ? `bad input answered INTERNAL: ${got}` : `INTERNAL leaks its cause: ${got}`;
  if (expect.cancelled && o.code === status.CANCELLED) return undefined;
  if (expect.longLived && o.code === status.DEADLINE_EXCEEDED && o.messages > 0) return undefined;
  return `not a clean status: ${got}`;
}
