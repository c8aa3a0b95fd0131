import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import type { RedisSettings } from "../config/redis-config.js";
import { redactUrl } from "../telemetry/redact-url.js";

export type { Redis };

/**
 * Connects to Redis (a URL alone, or settings with a password and TLS) for a
 * request path: commands fail fast while disconnected (no offline queue, one
 * retry) so callers can answer UNAVAILABLE or fall back instead of piling up,
 * while the client keeps reconnecting in the background.
 */
export async function connectRedis(target: string | RedisSettings, name: string, logger: Logger): Promise<Redis> {
  const settings: RedisSettings = typeof target === "string" ? { url: target } : target;
  const redis = new Redis(settings.url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    ...redisSecurityOptions(settings),
  });
  let up = false;
  let startError: Error | undefined;
  redis.on("ready", () => {
    if (!up) logger.info({ url: redactUrl(settings.url), tls: settings.tls !== undefined }, "connected to Redis");
    up = true;
  });
  redis.on("end", () => logger.info("Redis connection closed"));
  redis.on("error", (err: Error) => {
    if (up) logger.warn({ err: err.message }, "Redis connection error");
    else startError ??= err;
    up = false;
  });
  try {
    await redis.connect();
  } catch (err) {
    // The rejection only says "Connection is closed."; the error event before it says why (NOAUTH, WRONGPASS, a TLS failure).
    redis.disconnect();
    throw startError ? new Error(`cannot connect to Redis at ${redactUrl(settings.url)}: ${startError.message}`, { cause: err }) : err;
  }
  return redis;
}

/** ioredis options for the configured password and TLS (the secret revealed only here). */
export function redisSecurityOptions(settings: RedisSettings): Pick<RedisOptions, "password" | "tls"> {
  const { password, tls } = settings;
  return {
    ...(password ? { password: password.reveal() } : {}),
    ...(tls
      ? {
          tls: {
            ...(tls.ca ? { ca: tls.ca.contents } : {}),
            ...(tls.cert ? { cert: tls.cert.contents } : {}),
            ...(tls.key ? { key: tls.key.contents } : {}),
          },
        }
      : {}),
  };
}
