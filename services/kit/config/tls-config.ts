import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { certificateFile, parseCertificates, privateKeyFile, type ConfigFile } from "./config-files.js";
import { ConfigError } from "./load-config.js";

/** Certificate material of one connection kind, each file read and checked at start. */
export interface TlsFiles {
  /** CA certificates that verify the other side (absent: the system's roots). */
  ca?: ConfigFile;
  /** This side's certificate chain, presented to the other side. */
  cert?: ConfigFile;
  key?: ConfigFile;
}

interface TlsVariables {
  ca: string;
  cert: string;
  key: string;
}

/** A certificate and its key come together and match; returns one line per problem, naming the variables. */
export function checkTlsFiles(files: TlsFiles, names: TlsVariables): string[] {
  if (files.cert && !files.key) return [`${names.key}: required when ${names.cert} is set`];
  if (files.key && !files.cert) return [`${names.cert}: required when ${names.key} is set`];
  if (files.cert && files.key) {
    const [leaf] = parseCertificates(files.cert.contents);
    if (leaf && !leaf.checkPrivateKey(createPrivateKey(files.key.contents))) {
      return [`${names.key}: the key in ${files.key.path} does not match the certificate in ${files.cert.path} (${names.cert})`];
    }
  }
  return [];
}

/** gRPC transport security of every server and client of a process. */
export const grpcTlsShape = {
  /** PEM certificate chain this process presents: as a server, and as a client when the server asks (mTLS). */
  RECMESH_TLS_CERT: certificateFile,
  /** PEM private key of RECMESH_TLS_CERT. */
  RECMESH_TLS_KEY: privateKeyFile,
  /** PEM CA bundle that verifies servers (as a client) and client certificates (as a server under mTLS). */
  RECMESH_TLS_CA: certificateFile,
  /** "require": servers refuse clients without a certificate signed by RECMESH_TLS_CA (mutual TLS). */
  RECMESH_TLS_CLIENT_AUTH: z.enum(["none", "require"]).default("none"),
  /** Name clients expect in server certificates, when it is not the host of the address they dial. */
  RECMESH_TLS_SERVER_NAME: z.string().optional(),
};

type GrpcTlsEnv = z.infer<z.ZodObject<typeof grpcTlsShape>>;

/** How gRPC servers and clients secure their connections; absent means plaintext (loopback development). */
export interface GrpcTlsSettings extends TlsFiles {
  requireClientCertificate: boolean;
  serverName?: string;
}

const GRPC_NAMES: TlsVariables = { ca: "RECMESH_TLS_CA", cert: "RECMESH_TLS_CERT", key: "RECMESH_TLS_KEY" };

/**
 * gRPC TLS from the parsed environment: on as soon as a certificate or a CA is
 * configured. A process that serves (`serving`) needs its own certificate and
 * key; mutual TLS needs the CA that signs client certificates.
 * Throws a ConfigError naming each bad variable.
 */
export function grpcTlsSettings(env: GrpcTlsEnv, options: { serving: boolean }): GrpcTlsSettings | undefined {
  const files: TlsFiles = { ca: env.RECMESH_TLS_CA, cert: env.RECMESH_TLS_CERT, key: env.RECMESH_TLS_KEY };
  const requireClientCertificate = env.RECMESH_TLS_CLIENT_AUTH === "require";
  const problems = checkTlsFiles(files, GRPC_NAMES);
  if (requireClientCertificate && !files.ca) problems.push("RECMESH_TLS_CA: required when RECMESH_TLS_CLIENT_AUTH=require");
  const enabled = files.ca !== undefined || files.cert !== undefined || files.key !== undefined || requireClientCertificate;
  if (options.serving && enabled && !files.cert && problems.length === 0) {
    problems.push("RECMESH_TLS_CERT: a server needs its certificate and key when TLS is configured (RECMESH_TLS_CA or RECMESH_TLS_CLIENT_AUTH is set)");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!enabled) return undefined;
  return { ...files, requireClientCertificate, ...(env.RECMESH_TLS_SERVER_NAME ? { serverName: env.RECMESH_TLS_SERVER_NAME } : {}) };
}
