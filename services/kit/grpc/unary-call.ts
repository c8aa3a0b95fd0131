import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from "@grpc/grpc-js";
import { injectIntoMetadata } from "../telemetry/tracing.js";

/** The four-argument overload every generated unary client method has. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** Calls a generated unary method as a promise, with a deadline and the active trace context in metadata. */
export function unaryCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: { deadline: number; metadata?: Metadata; signal?: AbortSignal },
): Promise<Res> {
  const metadata = injectIntoMetadata(options.metadata ?? new Metadata());
  return new Promise<Res>((resolve, reject) => {
    const call = method(request, metadata, { deadline: options.deadline }, (err, res) => {
      options.signal?.removeEventListener("abort", cancel);
      if (err) reject(err);
      else resolve(res);
    });
    const cancel = () => call.cancel();
    options.signal?.addEventListener("abort", cancel, { once: true });
  });
}
