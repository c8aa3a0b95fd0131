import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { RecmeshError, type ErrorKind } from "./errors.js";

const CODE_BY_KIND: Record<ErrorKind, status> = {
  "invalid-argument": status.INVALID_ARGUMENT,
  "not-found": status.NOT_FOUND,
  "already-exists": status.ALREADY_EXISTS,
  "failed-precondition": status.FAILED_PRECONDITION,
  "resource-exhausted": status.RESOURCE_EXHAUSTED,
  "deadline-exceeded": status.DEADLINE_EXCEEDED,
  unavailable: status.UNAVAILABLE,
};

export const INTERNAL_MESSAGE = "internal error";

/** A gRPC status ready to hand to a callback or `emit('error')`. */
export interface StatusObject {
  code: status;
  details: string;
  metadata?: Metadata;
}

/**
 * Maps any thrown value to a gRPC status. Known errors keep their message;
 * anything else becomes INTERNAL with a generic message and its cause is logged,
 * never sent to the caller.
 */
export function toStatus(err: unknown, logger?: Logger): StatusObject {
  if (err instanceof RecmeshError) {
    return { code: CODE_BY_KIND[err.kind], details: err.message };
  }
  if (isServiceError(err)) {
    // A status from a downstream call that the domain did not translate: it
    // carries the dependency's wording, so keep the code but not a leaked detail
    // of an internal failure.
    if (err.code === status.INTERNAL || err.code === status.UNKNOWN) {
      logger?.error({ err }, "downstream internal error");
      return { code: status.INTERNAL, details: INTERNAL_MESSAGE };
    }
    return { code: err.code, details: err.details };
  }
  logger?.error({ err }, "unexpected error");
  return { code: status.INTERNAL, details: INTERNAL_MESSAGE };
}

/** Same as toStatus, shaped as the ServiceError grpc-js callbacks take. */
export function toServiceError(err: unknown, logger?: Logger): Partial<ServiceError> {
  const s = toStatus(err, logger);
  return { code: s.code, details: s.details, message: s.details, metadata: s.metadata ?? new Metadata() };
}

export function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === "number" &&
    typeof (err as Partial<ServiceError>).details === "string"
  );
}
