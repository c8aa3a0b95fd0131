import { z } from "zod";
import { flag, logLevel, nonNegative, positiveInt, url } from "./env-types.js";
import { natsSecurityShape } from "./nats-config.js";
import type { ServiceName } from "./ports.js";
import { redisSecurityShape } from "./redis-config.js";
import { grpcTlsSettings, grpcTlsShape, type GrpcTlsSettings } from "./tls-config.js";

/** Environment variables every service reads besides its own two ports. */
export const serverConfigShape = {
  RECMESH_BIND_HOST: z.string().default("127.0.0.1"),
  LOG_LEVEL: logLevel,
  LOG_PRETTY: flag(false),
  RECMESH_MAX_MESSAGE_BYTES: positiveInt(16 * 1024 * 1024),
  RECMESH_DEFAULT_DEADLINE_MS: positiveInt(10_000),
  RECMESH_MIN_DEADLINE_MS: nonNegative(1),
  RECMESH_DRAIN_TIMEOUT_MS: positiveInt(10_000),
  /**
   * Concurrent HTTP/2 streams (calls) per client connection; further calls wait
   * for a free one. Above the recommender's own in-flight limit so that
   * service-to-service channels are not throttled by it.
   */
  RECMESH_MAX_CONCURRENT_STREAMS: positiveInt(1000),
  /** Streaming calls open at once on the whole server; beyond it a new stream gets RESOURCE_EXHAUSTED. */
  RECMESH_MAX_OPEN_STREAMS: positiveInt(4096),
  /** Calls per second each caller may start (0: no per-caller rate limit). */
  RECMESH_RATE_LIMIT_RPS: nonNegative(0),
  /** Calls a caller may start at once after being idle (0: the per-second rate, at least 1). */
  RECMESH_RATE_LIMIT_BURST: z.coerce.number().int().nonnegative().default(0),
  /** Key the rate limit by the x-recmesh-caller metadata value; only behind a proxy that sets it. */
  RECMESH_RATE_LIMIT_TRUST_CALLER_HEADER: flag(false),
  ...grpcTlsShape,
};

type ServerEnv = z.infer<z.ZodObject<typeof serverConfigShape>>;

/** The server settings of a service, read from its parsed environment. */
export interface ServerSettings {
  service: ServiceName;
  host: string;
  grpcPort: number;
  adminPort: number;
  logLevel: ServerEnv["LOG_LEVEL"];
  logPretty: boolean;
  maxMessageBytes: number;
  defaultDeadlineMs: number;
  minDeadlineMs: number;
  drainTimeoutMs: number;
  /** HTTP/2 max concurrent streams per connection. */
  maxConcurrentStreams: number;
  /** Streaming calls open at once across all connections (health and reflection exempt). */
  maxOpenStreams: number;
  /** Per-caller token bucket; absent: no rate limit. */
  rateLimit?: RateLimitSettings;
  /** Transport security of the server and of clients built from these settings; absent: plaintext. */
  tls?: GrpcTlsSettings;
}

export interface RateLimitSettings {
  ratePerSecond: number;
  burst: number;
  trustCallerHeader: boolean;
}

export function serverSettings(
  service: ServiceName,
  ports: { grpcPort: number; adminPort: number },
  env: ServerEnv,
): ServerSettings {
  return {
    service,
    ...ports,
    host: env.RECMESH_BIND_HOST,
    logLevel: env.LOG_LEVEL,
    logPretty: env.LOG_PRETTY,
    maxMessageBytes: env.RECMESH_MAX_MESSAGE_BYTES,
    defaultDeadlineMs: env.RECMESH_DEFAULT_DEADLINE_MS,
    minDeadlineMs: env.RECMESH_MIN_DEADLINE_MS,
    drainTimeoutMs: env.RECMESH_DRAIN_TIMEOUT_MS,
    maxConcurrentStreams: env.RECMESH_MAX_CONCURRENT_STREAMS,
    maxOpenStreams: env.RECMESH_MAX_OPEN_STREAMS,
    rateLimit:
      env.RECMESH_RATE_LIMIT_RPS > 0
        ? {
            ratePerSecond: env.RECMESH_RATE_LIMIT_RPS,
            burst: env.RECMESH_RATE_LIMIT_BURST || Math.max(1, Math.ceil(env.RECMESH_RATE_LIMIT_RPS)),
            trustCallerHeader: env.RECMESH_RATE_LIMIT_TRUST_CALLER_HEADER,
          }
        : undefined,
    tls: grpcTlsSettings(env, { serving: true }),
  };
}

export const natsConfigShape = {
  NATS_URL: url(["nats", "tls"], "nats://127.0.0.1:4222"),
  /** Stream replicas: 1 on a single server, 3 on a JetStream cluster. */
  RECMESH_STREAM_REPLICAS: positiveInt(1),
  /** How long the EVENTS stream keeps events: the replay horizon. */
  RECMESH_EVENT_RETENTION_DAYS: positiveInt(30),
  ...natsSecurityShape,
};

export const redisConfigShape = {
  REDIS_URL: url(["redis", "rediss"], "redis://127.0.0.1:6379"),
  ...redisSecurityShape,
};

/** Circuit breaker settings for calls to dependencies. */
export const breakerConfigShape = {
  RECMESH_BREAKER_ERROR_PERCENT: z.coerce.number().min(1).max(100).default(50),
  RECMESH_BREAKER_RESET_MS: positiveInt(2_000),
  RECMESH_BREAKER_VOLUME_THRESHOLD: positiveInt(10),
  RECMESH_BREAKER_WINDOW_MS: positiveInt(10_000),
};

export type BreakerEnv = z.infer<z.ZodObject<typeof breakerConfigShape>>;

/** Breaker settings for Dependency, from the parsed RECMESH_BREAKER_* variables. */
export function breakerSettings(env: BreakerEnv) {
  return {
    errorThresholdPercentage: env.RECMESH_BREAKER_ERROR_PERCENT,
    resetTimeoutMs: env.RECMESH_BREAKER_RESET_MS,
    volumeThreshold: env.RECMESH_BREAKER_VOLUME_THRESHOLD,
    rollingWindowMs: env.RECMESH_BREAKER_WINDOW_MS,
  };
}
