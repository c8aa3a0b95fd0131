import { ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { methodLabel } from "./method-name.js";

/** Codes that mean the caller did something wrong, logged at info; server-side failures at warn/error. */
const CLIENT_CODES = new Set([
  status.OK,
  status.CANCELLED,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.UNAUTHENTICATED,
  status.PERMISSION_DENIED,
]);

/**
 * One structured line per finished call. Successful calls log at debug so the
 * request path stays cheap at info level.
 */
export function loggingInterceptor(logger: Logger): ServerInterceptor {
  return (descriptor, call) => {
    const method = methodLabel(descriptor.path);
    const started = performance.now();
    return new ServerInterceptingCall(call, {
      sendStatus: (s, next) => {
        const fields = {
          method,
          code: status[s.code] ?? s.code,
          ms: Math.round((performance.now() - started) * 100) / 100,
          peer: call.getPeer(),
        };
        if (s.code === status.OK) logger.debug(fields, "rpc");
        else if (CLIENT_CODES.has(s.code)) logger.info({ ...fields, details: s.details }, "rpc");
        else if (s.code === status.INTERNAL || s.code === status.UNKNOWN) logger.error({ ...fields, details: s.details }, "rpc");
        else logger.warn({ ...fields, details: s.details }, "rpc");
        next(s);
      },
    });
  };
}
