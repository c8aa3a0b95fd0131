import type { Metadata } from "@grpc/grpc-js";
import type { Context } from "@opentelemetry/api";
import type { Logger } from "pino";

/** What a handler knows about the call it serves, free of grpc-js types beyond metadata. */
export interface CallContext {
  /** "FeatureService/GetFeatures". */
  method: string;
  /** Child logger carrying the method and trace id. */
  logger: Logger;
  /** Epoch milliseconds by which the answer must be sent (Infinity for open streams). */
  deadline: number;
  /** Aborted when the caller cancels or the deadline passes. */
  signal: AbortSignal;
  /** Incoming request metadata. */
  metadata: Metadata;
  /** Trace context of the call's server span; pass it on to downstream calls and events. */
  trace: Context;
}
