import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { pino } from "pino";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
} from "./errors.js";
import { INTERNAL_MESSAGE, toStatus } from "./status.js";

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}

describe("toStatus", () => {
  it.each([
    [new InvalidArgumentError("count", "must be at most 100"), status.INVALID_ARGUMENT, "count: must be at most 100"],
    [new NotFoundError("model x not found"), status.NOT_FOUND, "model x not found"],
    [new AlreadyExistsError("exists"), status.ALREADY_EXISTS, "exists"],
    [new FailedPreconditionError("revision 3 expected"), status.FAILED_PRECONDITION, "revision 3 expected"],
    [new ResourceExhaustedError("too many streams"), status.RESOURCE_EXHAUSTED, "too many streams"],
    [new DeadlineExceededError("late"), status.DEADLINE_EXCEEDED, "late"],
    [new UnavailableError("redis down"), status.UNAVAILABLE, "redis down"],
  ])("maps %o to its code", (err, code, details) => {
    expect(toStatus(err)).toEqual({ code, details });
  });

  it("turns an unknown error into INTERNAL with a generic message and logs the cause", () => {
    const lines: string[] = [];
    const logger = pino(new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
    expect(toStatus(new TypeError("password=hunter2 in stack"), logger)).toEqual({ code: status.INTERNAL, details: INTERNAL_MESSAGE });
    expect(lines.join("")).toContain("hunter2");
  });

  it("keeps a downstream status code but hides a downstream internal message", () => {
    expect(toStatus(serviceError(status.NOT_FOUND, "no such user"))).toEqual({ code: status.NOT_FOUND, details: "no such user" });
    expect(toStatus(serviceError(status.INTERNAL, "stack trace"))).toEqual({ code: status.INTERNAL, details: INTERNAL_MESSAGE });
  });
});
