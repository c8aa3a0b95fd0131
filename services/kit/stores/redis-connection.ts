import { Redis } from "ioredis";
import type { Logger } from "pino";

export type { Redis };

/**
 * Connects to Redis for a request path: commands fail fast while disconnected
 * (no offline queue, one retry) so callers can answer UNAVAILABLE or fall back
 * instead of piling up, while the client keeps reconnecting in the background.
 */
export async function connectRedis(url: string, name: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  let up = false;
  redis.on("ready", () => {
    if (!up) logger.info({ url: redactUrl(url) }, "connected to Redis");
    up = true;
  });
  redis.on("end", () => logger.info("Redis connection closed"));
  redis.on("error", (err: Error) => {
    if (up) logger.warn({ err: err.message }, "Redis connection error");
    up = false;
  });
  await redis.connect();
  return redis;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "redacted";
    return u.toString();
  } catch {
    return "[unparseable url]";
  }
}
