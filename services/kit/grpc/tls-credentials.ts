import { ChannelCredentials, ServerCredentials, credentials, type ChannelOptions } from "@grpc/grpc-js";
import type { GrpcTlsSettings } from "../config/tls-config.js";

/** Server credentials: plaintext without TLS settings; with them TLS, checking client certificates under mTLS. */
export function serverCredentials(tls: GrpcTlsSettings | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  if (!tls.cert || !tls.key) throw new Error("a TLS server needs a certificate and a key");
  return ServerCredentials.createSsl(
    tls.ca?.contents ?? null,
    [{ cert_chain: tls.cert.contents, private_key: tls.key.contents }],
    tls.requireClientCertificate,
  );
}

/** Channel credentials: plaintext without TLS settings; with them TLS, presenting this process's certificate when it has one. */
export function channelCredentials(tls: GrpcTlsSettings | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(tls.ca?.contents ?? null, tls.key?.contents ?? null, tls.cert?.contents ?? null);
}

/** Channel options that go with the credentials: the expected server name when it is not the dialled host. */
export function tlsChannelOptions(tls: GrpcTlsSettings | undefined): Partial<ChannelOptions> {
  return tls?.serverName ? { "grpc.ssl_target_name_override": tls.serverName } : {};
}
