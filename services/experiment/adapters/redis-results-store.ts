import type { Redis, Result } from "ioredis";
import { UnavailableError } from "../../kit/errors/errors.js";
import type { ExposureRecord, InteractionRecord, ResultsStore } from "../domain/results-store.js";
import type { Proportion } from "../statistics/proportions.js";

declare module "ioredis" {
  interface RedisCommander<Context> {
    experimentExpose(first: string, user: string, atMs: number, variant: string, prefix: string): Result<number, Context>;
    experimentConvert(first: string, user: string, atMs: number, prefix: string): Result<number, Context>;
    experimentUserExposed(exposures: string, last: string, experiment: string, atMs: number, type: string, ttlSeconds: number): Result<number, Context>;
    experimentUserInteracted(last: string, exposures: string, type: string, atMs: number, ttlSeconds: number): Result<string[], Context>;
  }
}

/**
 * Keys (hash tags keep each script's keys in one cluster slot):
 *   exp:{<experiment>}:first               user → "<first exposure ms>|<variant>"
 *   exp:{<experiment>}:exposed:<variant>   set of users whose first exposure was in the variant
 *   exp:{<experiment>}:converted:<variant> set of those who converted
 *   exp-user:{<user>}:exposures            experiment → first exposure ms   (expires after the horizon)
 *   exp-user:{<user>}:last                 interaction type → latest ms     (expires after the horizon)
 */
const PREFIX = "exp:";
const USER_PREFIX = "exp-user:";

/** An earlier exposure becomes the first one and carries the user (and a conversion) to its variant. */
const EXPOSE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local ms = tonumber(ARGV[2])
local entry = ARGV[2] .. '|' .. ARGV[3]
if not cur then
  redis.call('HSET', KEYS[1], ARGV[1], entry)
  redis.call('SADD', ARGV[4] .. 'exposed:' .. ARGV[3], ARGV[1])
  return ms
end
local sep = string.find(cur, '|', 1, true)
local curMs = tonumber(string.sub(cur, 1, sep - 1))
local curVariant = string.sub(cur, sep + 1)
if ms >= curMs then return curMs end
redis.call('HSET', KEYS[1], ARGV[1], entry)
if curVariant ~= ARGV[3] then
  redis.call('SREM', ARGV[4] .. 'exposed:' .. curVariant, ARGV[1])
  redis.call('SADD', ARGV[4] .. 'exposed:' .. ARGV[3], ARGV[1])
  if redis.call('SREM', ARGV[4] .. 'converted:' .. curVariant, ARGV[1]) == 1 then
    redis.call('SADD', ARGV[4] .. 'converted:' .. ARGV[3], ARGV[1])
  end
end
return ms
`;

/** Converted when the interaction is at or after the user's first exposure. */
const CONVERT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local sep = string.find(cur, '|', 1, true)
if tonumber(ARGV[2]) < tonumber(string.sub(cur, 1, sep - 1)) then return 0 end
return redis.call('SADD', ARGV[3] .. 'converted:' .. string.sub(cur, sep + 1), ARGV[1])
`;

/** Keeps the earliest exposure per experiment; answers the latest interaction of the conversion type (-1: none). */
const USER_EXPOSED = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or tonumber(ARGV[2]) < tonumber(cur) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
local last = redis.call('HGET', KEYS[2], ARGV[3])
if not last then return -1 end
return tonumber(last)
`;

/** Keeps the latest interaction per type; answers the user's exposures (experiment, first ms, ...). */
const USER_INTERACTED = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or tonumber(ARGV[2]) > tonumber(cur) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return redis.call('HGETALL', KEYS[2])
`;

const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)/;

/** The analysis state in Redis; see ResultsStore for the semantics. */
export class RedisResultsStore implements ResultsStore {
  constructor(
    private readonly redis: Redis,
    /** How long per-user join state is kept: the replay horizon of the event stream. */
    private readonly userStateTtlSeconds: number,
  ) {
    redis.defineCommand("experimentExpose", { numberOfKeys: 1, lua: EXPOSE });
    redis.defineCommand("experimentConvert", { numberOfKeys: 1, lua: CONVERT });
    redis.defineCommand("experimentUserExposed", { numberOfKeys: 2, lua: USER_EXPOSED });
    redis.defineCommand("experimentUserInteracted", { numberOfKeys: 2, lua: USER_INTERACTED });
  }

  async recordExposure(e: ExposureRecord, conversionEvent: string): Promise<void> {
    await guard(async () => {
      const first = firstKey(e.experiment);
      const firstMs = await this.redis.experimentExpose(first, e.userId, e.atMs, e.variant, experimentPrefix(e.experiment));
      const lastMs = await this.redis.experimentUserExposed(
        userKey(e.userId, "exposures"),
        userKey(e.userId, "last"),
        e.experiment,
        e.atMs,
        conversionEvent,
        this.userStateTtlSeconds,
      );
      if (lastMs >= firstMs) await this.redis.experimentConvert(first, e.userId, lastMs, experimentPrefix(e.experiment));
    });
  }

  async recordInteraction(i: InteractionRecord, conversionEventOf: (experiment: string) => string): Promise<void> {
    await guard(async () => {
      const flat = await this.redis.experimentUserInteracted(userKey(i.userId, "last"), userKey(i.userId, "exposures"), i.type, i.atMs, this.userStateTtlSeconds);
      const pipeline = this.redis.pipeline();
      let queued = 0;
      for (let k = 0; k + 1 < flat.length; k += 2) {
        const experiment = flat[k] as string;
        if (conversionEventOf(experiment) !== i.type || i.atMs < Number(flat[k + 1])) continue;
        pipeline.experimentConvert(firstKey(experiment), i.userId, i.atMs, experimentPrefix(experiment));
        queued++;
      }
      if (queued > 0) checkReplies(await pipeline.exec());
    });
  }

  async counts(experiment: string, variants: readonly string[]): Promise<Map<string, Proportion>> {
    return guard(async () => {
      const pipeline = this.redis.pipeline();
      const prefix = experimentPrefix(experiment);
      for (const v of variants) pipeline.scard(`${prefix}exposed:${v}`).scard(`${prefix}converted:${v}`);
      const replies = checkReplies(await pipeline.exec());
      return new Map(variants.map((v, i) => [v, { users: Number(replies[2 * i]), conversions: Number(replies[2 * i + 1]) }]));
    });
  }

  async ready(): Promise<boolean> {
    if (this.redis.status !== "ready") return false;
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }
}

function experimentPrefix(experiment: string): string {
  return `${PREFIX}{${experiment}}:`;
}

function firstKey(experiment: string): string {
  return `${experimentPrefix(experiment)}first`;
}

function userKey(userId: string, kind: "exposures" | "last"): string {
  return `${USER_PREFIX}{${userId}}:${kind}`;
}

function checkReplies(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new UnavailableError("experiment results store: the pipeline was discarded");
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** Connection-level failures become UNAVAILABLE (the analyzer pauses on them); error replies stay as they are. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UnavailableError) throw err;
    if (err instanceof Error && err.name === "ReplyError" && !TRANSIENT_REPLY.test(err.message)) throw err;
    throw new UnavailableError("experiment results store (Redis) is unavailable", { cause: err });
  }
}
