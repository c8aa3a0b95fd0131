import { z } from "zod";
import { loadConfig } from "../config/load-config.js";
import { grpcTlsSettings, grpcTlsShape, type GrpcTlsSettings } from "../config/tls-config.js";

/** gRPC TLS settings from RECMESH_TLS_* style variables, as a service (serving) or a client would load them. */
export function tlsFromEnv(env: Record<string, string>, serving: boolean): GrpcTlsSettings | undefined {
  return grpcTlsSettings(loadConfig(z.object(grpcTlsShape), env), { serving });
}
