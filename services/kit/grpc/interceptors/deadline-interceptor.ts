import { ServerInterceptingCall, ServerListenerBuilder, status, type ServerInterceptor } from "@grpc/grpc-js";
import { remainingMs } from "../deadline.js";

/**
 * Refuses a call whose deadline leaves less than `minRemainingMs` before any
 * handler work starts: work that cannot finish in time is not begun.
 */
export function deadlineInterceptor(minRemainingMs: number): ServerInterceptor {
  return (_descriptor, call) => {
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const left = remainingMs(call.getDeadline());
        if (left < minRemainingMs) {
          call.sendStatus({
            code: status.DEADLINE_EXCEEDED,
            details: `deadline leaves ${Math.max(0, Math.floor(left))} ms, below the ${minRemainingMs} ms minimum`,
          });
          return;
        }
        next(metadata);
      })
      .build();
    return new ServerInterceptingCall(call, { start: (next) => next(listener) });
  };
}
