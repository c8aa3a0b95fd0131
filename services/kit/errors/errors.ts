/**
 * One error type per failure class. Domain code throws these; `toServiceError`
 * (status.ts) is the only place that turns them into gRPC statuses.
 */
export abstract class RecmeshError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ErrorKind =
  | "invalid-argument"
  | "not-found"
  | "already-exists"
  | "failed-precondition"
  | "resource-exhausted"
  | "deadline-exceeded"
  | "unavailable";

/** Bad input. `field` names the request field at fault. */
export class InvalidArgumentError extends RecmeshError {
  readonly kind = "invalid-argument";

  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export class NotFoundError extends RecmeshError {
  readonly kind = "not-found";
}

export class AlreadyExistsError extends RecmeshError {
  readonly kind = "already-exists";
}

/** The system is not in a state where the operation can run (e.g. a revision mismatch). */
export class FailedPreconditionError extends RecmeshError {
  readonly kind = "failed-precondition";
}

/** A limit was hit or load was shed. */
export class ResourceExhaustedError extends RecmeshError {
  readonly kind = "resource-exhausted";
}

export class DeadlineExceededError extends RecmeshError {
  readonly kind = "deadline-exceeded";
}

/** A dependency is down and no fallback applies. */
export class UnavailableError extends RecmeshError {
  readonly kind = "unavailable";
}
