import type { Metadata, ServerInterceptingCallInterface } from "@grpc/grpc-js";

/** Metadata key a trusted proxy or gateway sets to name the end caller. */
export const CALLER_HEADER = "x-recmesh-caller";

const MAX_IDENTITY_LENGTH = 128;

/**
 * Who is calling, for per-caller limits: the x-recmesh-caller value when the
 * server is configured to trust it, else the subject CN of a verified client
 * certificate (mTLS), else the peer's IP address (not the port: one caller,
 * many connections).
 */
export function callerIdentity(call: ServerInterceptingCallInterface, metadata: Metadata, trustCallerHeader: boolean): string {
  if (trustCallerHeader) {
    const [value] = metadata.get(CALLER_HEADER);
    if (typeof value === "string" && value !== "") return `header:${value.slice(0, MAX_IDENTITY_LENGTH)}`;
  }
  const subject = call.getAuthContext().sslPeerCertificate?.subject;
  const cn: unknown = subject?.CN;
  if (typeof cn === "string" && cn !== "") return `cert:${cn.slice(0, MAX_IDENTITY_LENGTH)}`;
  if (Array.isArray(cn) && typeof cn[0] === "string") return `cert:${cn[0].slice(0, MAX_IDENTITY_LENGTH)}`;
  return `peer:${call.getConnectionInfo().remoteAddress ?? "unknown"}`;
}
