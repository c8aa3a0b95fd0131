import { z } from "zod";
import { certificateFile, privateKeyFile, secret, type Secret } from "./config-files.js";
import { ConfigError } from "./load-config.js";
import { checkTlsFiles, type TlsFiles } from "./tls-config.js";

/** Redis authentication and TLS, besides REDIS_URL (a rediss:// URL means TLS). */
export const redisSecurityShape = {
  /** AUTH password (requirepass, or the ACL user's password when REDIS_URL names a user). Kept out of the URL so logs never see it. */
  REDIS_PASSWORD: secret,
  RECMESH_REDIS_TLS_CA: certificateFile,
  RECMESH_REDIS_TLS_CERT: certificateFile,
  RECMESH_REDIS_TLS_KEY: privateKeyFile,
};

type RedisEnv = z.infer<z.ZodObject<typeof redisSecurityShape>> & { REDIS_URL: string };

/** Where and how to connect to Redis; secrets serialise redacted. */
export interface RedisSettings {
  url: string;
  password?: Secret;
  /** TLS on, with these files (empty: the system's roots, no client certificate). */
  tls?: TlsFiles;
}

const TLS_NAMES = { ca: "RECMESH_REDIS_TLS_CA", cert: "RECMESH_REDIS_TLS_CERT", key: "RECMESH_REDIS_TLS_KEY" };

/** Redis settings from the parsed environment; throws a ConfigError naming each bad variable. */
export function redisSettings(env: RedisEnv): RedisSettings {
  const url = new URL(env.REDIS_URL);
  const files: TlsFiles = { ca: env.RECMESH_REDIS_TLS_CA, cert: env.RECMESH_REDIS_TLS_CERT, key: env.RECMESH_REDIS_TLS_KEY };
  const problems = checkTlsFiles(files, TLS_NAMES);
  if (env.REDIS_PASSWORD && url.password) problems.push("REDIS_PASSWORD: the password is also in REDIS_URL; set only one");
  if (problems.length > 0) throw new ConfigError(problems);
  const tlsWanted = url.protocol === "rediss:" || files.ca !== undefined || files.cert !== undefined;
  return { url: env.REDIS_URL, ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}), ...(tlsWanted ? { tls: files } : {}) };
}
