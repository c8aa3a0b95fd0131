import { z } from "zod";
import { certificateFile, natsCredsFile, privateKeyFile, secret, type ConfigFile, type Secret } from "./config-files.js";
import { ConfigError } from "./load-config.js";
import { checkTlsFiles, type TlsFiles } from "./tls-config.js";

/** NATS authentication and TLS, besides NATS_URL (a tls:// URL requires TLS). */
export const natsSecurityShape = {
  /** User and password (nats-server `authorization { user, password }`). */
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: secret,
  /** Token authentication (nats-server `authorization { token }`). */
  NATS_TOKEN: secret,
  /** Path of a credentials file (user JWT + nkey seed) for decentralised auth. */
  NATS_CREDS: natsCredsFile,
  RECMESH_NATS_TLS_CA: certificateFile,
  RECMESH_NATS_TLS_CERT: certificateFile,
  RECMESH_NATS_TLS_KEY: privateKeyFile,
};

type NatsEnv = z.infer<z.ZodObject<typeof natsSecurityShape>> & { NATS_URL: string };

export type NatsAuth =
  | { kind: "none" }
  | { kind: "user"; user: string; password: Secret }
  | { kind: "token"; token: Secret }
  | { kind: "creds"; creds: ConfigFile };

/** Where and how to connect to NATS; secrets serialise redacted. */
export interface NatsSettings {
  url: string;
  auth: NatsAuth;
  /** TLS required, with these files (empty: the system's roots, no client certificate). */
  tls?: TlsFiles;
}

const TLS_NAMES = { ca: "RECMESH_NATS_TLS_CA", cert: "RECMESH_NATS_TLS_CERT", key: "RECMESH_NATS_TLS_KEY" };

/** NATS settings from the parsed environment; throws a ConfigError naming each bad variable. */
export function natsSettings(env: NatsEnv): NatsSettings {
  const problems: string[] = [];
  const url = new URL(env.NATS_URL);
  if (url.username || url.password) problems.push("NATS_URL: put credentials in NATS_USER/NATS_PASSWORD or NATS_TOKEN, not in the URL");
  const methods = [env.NATS_USER !== undefined, env.NATS_TOKEN !== undefined, env.NATS_CREDS !== undefined].filter(Boolean).length;
  if (methods > 1) problems.push("NATS_USER, NATS_TOKEN, NATS_CREDS: set only one authentication method");
  if (env.NATS_PASSWORD && env.NATS_USER === undefined) problems.push("NATS_USER: required when NATS_PASSWORD is set");
  if (env.NATS_USER !== undefined && !env.NATS_PASSWORD) problems.push("NATS_PASSWORD: required when NATS_USER is set");
  const files: TlsFiles = { ca: env.RECMESH_NATS_TLS_CA, cert: env.RECMESH_NATS_TLS_CERT, key: env.RECMESH_NATS_TLS_KEY };
  problems.push(...checkTlsFiles(files, TLS_NAMES));
  if (problems.length > 0) throw new ConfigError(problems);
  const tlsWanted = url.protocol === "tls:" || files.ca !== undefined || files.cert !== undefined;
  return { url: env.NATS_URL, auth: natsAuth(env), ...(tlsWanted ? { tls: files } : {}) };
}

function natsAuth(env: NatsEnv): NatsAuth {
  if (env.NATS_USER !== undefined && env.NATS_PASSWORD) return { kind: "user", user: env.NATS_USER, password: env.NATS_PASSWORD };
  if (env.NATS_TOKEN) return { kind: "token", token: env.NATS_TOKEN };
  if (env.NATS_CREDS) return { kind: "creds", creds: env.NATS_CREDS };
  return { kind: "none" };
}
