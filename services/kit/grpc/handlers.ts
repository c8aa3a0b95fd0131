import { once, type EventEmitter } from "node:events";
import {
  type handleBidiStreamingCall,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from "@grpc/grpc-js";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import { DeadlineExceededError } from "../errors/errors.js";
import { toServiceError } from "../errors/status.js";
import { extractFromMetadata, traceIdOf, tracer } from "../telemetry/tracing.js";
import type { CallContext } from "./call-context.js";
import { deadlineMs } from "./deadline.js";
import { parsedOrRefused, type UnparseableMessage } from "./unparseable.js";

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

/**
 * Adapts async domain-facing functions to grpc-js handlers: one server span and
 * child logger per call, a deadline (the caller's, or the default for unary
 * calls without one), an AbortSignal, backpressure on writes, and every error
 * mapped to a status in one place.
 */
export class RpcAdapter {
  constructor(
    private readonly service: string,
    private readonly logger: Logger,
    private readonly defaultDeadlineMs: number,
  ) {}

  unary<Req, Res>(method: string, fn: (req: Req, call: CallContext) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      void this.run(method, call, true, async (ctx) => fn(parsedOrRefused(call.request, "request"), ctx)).then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err, this.logger.child({ method }))),
      );
    };
  }

  serverStream<Req, Res>(
    method: string,
    fn: (req: Req, call: CallContext) => AsyncIterable<Res>,
  ): handleServerStreamingCall<Req, Res> {
    return (call) => {
      void this.run(method, call, false, (ctx) => pipeOut(fn(parsedOrRefused(call.request, "request"), ctx), call, ctx.signal)).then(
        () => call.end(),
        (err: unknown) => call.emit("error", toServiceError(err, this.logger.child({ method }))),
      );
    };
  }

  clientStream<Req, Res>(
    method: string,
    fn: (requests: AsyncIterable<Req>, call: CallContext) => Promise<Res>,
  ): handleClientStreamingCall<Req, Res> {
    return (call, callback) => {
      void this.run(method, call, false, (ctx) => fn(incoming<Req>(call), ctx)).then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err, this.logger.child({ method }))),
      );
    };
  }

  bidi<Req, Res>(
    method: string,
    fn: (requests: AsyncIterable<Req>, call: CallContext) => AsyncIterable<Res>,
  ): handleBidiStreamingCall<Req, Res> {
    return (call) => {
      void this.run(method, call, false, (ctx) => pipeOut(fn(incoming<Req>(call), ctx), call, ctx.signal)).then(
        () => call.end(),
        (err: unknown) => call.emit("error", toServiceError(err, this.logger.child({ method }))),
      );
    };
  }

  private async run<T>(method: string, call: AnyCall, unary: boolean, body: (ctx: CallContext) => Promise<T>): Promise<T> {
    const callerDeadline = deadlineMs(call.getDeadline());
    const deadline = unary && callerDeadline === Infinity ? Date.now() + this.defaultDeadlineMs : callerDeadline;
    const parent = extractFromMetadata(call.metadata);
    const span = tracer.startSpan(`${this.service}/${method}`, { kind: SpanKind.SERVER }, parent);
    const traceCtx = trace.setSpan(parent, span);
    const controller = new AbortController();
    const onCancel = () => controller.abort(new DeadlineExceededError("call cancelled by the caller"));
    const events = call as EventEmitter;
    events.once("cancelled", onCancel);
    const timer =
      deadline === Infinity
        ? undefined
        : setTimeout(() => controller.abort(new DeadlineExceededError(`deadline exceeded in ${method}`)), Math.max(0, deadline - Date.now()));
    const traceId = traceIdOf(span);
    const ctx: CallContext = {
      method: `${this.service}/${method}`,
      logger: this.logger.child(traceId ? { method, traceId } : { method }),
      deadline,
      signal: controller.signal,
      metadata: call.metadata as Metadata,
      trace: traceCtx,
    };
    try {
      const work = context.with(traceCtx, () => body(ctx));
      return unary ? await raceAbort(work, controller.signal) : await work;
    } catch (err) {
      // Once the call is cancelled or past its deadline, what the body throws is
      // a consequence (a streaming call's requests end with a premature close),
      // not an unexpected error of its own.
      const failure: unknown = controller.signal.aborted ? controller.signal.reason : err;
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure instanceof Error ? failure.message : String(failure) });
      throw failure;
    } finally {
      if (timer) clearTimeout(timer);
      events.off("cancelled", onCancel);
      span.end();
    }
  }
}

/**
 * The request messages of a streaming call; one that does not decode ends the
 * call with INVALID_ARGUMENT naming its position. A plain for-await over a
 * Readable destroys it when reading ends, which for a bidi call would also
 * tear down the response side before the handler has answered and ended it.
 */
async function* incoming<Req>(call: ServerReadableStream<Req, unknown> | ServerDuplexStream<Req, unknown>): AsyncIterable<Req> {
  let index = 0;
  for await (const message of call.iterator({ destroyOnReturn: false }) as AsyncIterable<Req | UnparseableMessage>) {
    yield parsedOrRefused(message, `request message ${index++}`);
  }
}

/** Resolves with `work`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Writes every item of `source` to the call, waiting for 'drain' when the transport pushes back. */
async function pipeOut<Res>(
  source: AsyncIterable<Res>,
  call: ServerWritableStream<unknown, Res> | ServerDuplexStream<unknown, Res>,
  signal: AbortSignal,
): Promise<void> {
  for await (const item of source) {
    if (call.cancelled) return;
    if (!call.write(item)) await once(call as EventEmitter, "drain", { signal });
  }
}
