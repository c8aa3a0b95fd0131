import type { Redis } from "ioredis";
import { STORAGE_PREFIX } from "../domain/row-store.js";
import { storeError } from "./redis-row-store.js";

const PATTERN = `${STORAGE_PREFIX}*`;

/** Whole-projection operations on the feature rows in Redis (replay); never touches other keys. */
export class FeatureKeyspace {
  constructor(private readonly redis: Redis) {}

  /** True when at least one feature row is stored. */
  async hasRows(): Promise<boolean> {
    try {
      let cursor = "0";
      do {
        const [next, keys] = await this.redis.scan(cursor, "MATCH", PATTERN, "COUNT", 1000);
        if (keys.length > 0) return true;
        cursor = next;
      } while (cursor !== "0");
      return false;
    } catch (err) {
      throw storeError(err);
    }
  }

  /** Deletes every feature row (UNLINK, in SCAN pages); resolves with how many keys went. */
  async deleteRows(): Promise<number> {
    let deleted = 0;
    try {
      let cursor = "0";
      do {
        const [next, keys] = await this.redis.scan(cursor, "MATCH", PATTERN, "COUNT", 1000);
        if (keys.length > 0) deleted += await this.redis.unlink(...keys);
        cursor = next;
      } while (cursor !== "0");
    } catch (err) {
      throw storeError(err);
    }
    return deleted;
  }
}
