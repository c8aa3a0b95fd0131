import { Command, type Redis, type Result } from "ioredis";
import { UnavailableError } from "../../kit/errors/errors.js";
import type { RowStore, RowWrite } from "../domain/row-store.js";
import { SEQUENCE_BYTES } from "../domain/stored-row.js";

declare module "ioredis" {
  interface RedisCommander<Context> {
    featureRowCas(key: string, expected: Uint8Array, blob: Uint8Array, ttlMs: number): Result<number, Context>;
  }
}

/**
 * Compare-and-set of one packed row: written only when the key still holds the
 * sequence mark the writer read (an empty mark: the key was absent), so two
 * writers can never lose each other's update. TTL 0 means no expiry.
 */
const ROW_CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
local expected = ARGV[1]
if (current == false and expected == '') or (current ~= false and string.sub(current, 1, ${SEQUENCE_BYTES}) == expected) then
  if tonumber(ARGV[3]) > 0 then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  else
    redis.call('SET', KEYS[1], ARGV[2])
  end
  return 1
end
return 0
`;

/** Replies that mean the server is there but cannot serve now: treated like a connection failure. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)/;
const EMPTY = new Uint8Array(0);

/**
 * MGET with Buffer replies, as redis.mgetBuffer(keys) sends it, minus two
 * costs that showed up in profiles of 500-key reads: the Array.prototype.flat()
 * that Command's constructor runs over its arguments, and, when every key is
 * ASCII (string length = byte length), a Buffer.byteLength per key and a UTF-8
 * encoding of the whole command; other keys take ioredis's own encoding.
 */
export class MgetBufferCommand extends Command {
  constructor(keys: string[]) {
    super("mget", [], { replyEncoding: null });
    this.args = keys;
  }

  override toWritable(socket: object): string | Buffer {
    let command = `*${this.args.length + 1}\r\n$4\r\nmget\r\n`;
    for (const key of this.args as string[]) command += `$${key.length}\r\n${key}\r\n`;
    return Buffer.byteLength(command) === command.length ? Buffer.from(command, "latin1") : super.toWritable(socket);
  }
}

/** Packed feature rows in Redis: one MGET per read, one pipeline of compare-and-set scripts per write batch. */
export class RedisRowStore implements RowStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand("featureRowCas", { numberOfKeys: 1, lua: ROW_CAS_SCRIPT });
  }

  async read(keys: string[]): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return [];
    try {
      return (await this.redis.sendCommand(new MgetBufferCommand(keys))) as (Buffer | null)[];
    } catch (err) {
      throw storeError(err);
    }
  }

  async writeIfUnchanged(writes: RowWrite[]): Promise<boolean[]> {
    if (writes.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const w of writes) pipeline.featureRowCas(w.key, w.expected ?? EMPTY, w.blob, w.ttlMs);
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (err) {
      throw storeError(err);
    }
    if (!replies) throw new UnavailableError("feature store is unavailable: the write pipeline was discarded");
    return replies.map(([err, result]) => {
      if (err) throw storeError(err);
      return result === 1;
    });
  }

  /** True when Redis answers: the aggregator resumes once this holds. */
  async ready(): Promise<boolean> {
    if (this.redis.status !== "ready") return false;
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }
}

/**
 * A connection-level failure (down, reconnecting, loading) becomes UNAVAILABLE
 * so callers fall back and the aggregator pauses; an error reply to a command
 * that reached a healthy server is a bug and stays as it is (INTERNAL).
 */
export function storeError(err: unknown): Error {
  if (err instanceof Error && err.name === "ReplyError" && !TRANSIENT_REPLY.test(err.message)) return err;
  return new UnavailableError("feature store (Redis) is unavailable", { cause: err });
}
