import { CATEGORY_BUCKETS } from "../registry/feature-views.js";

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a 32-bit hash of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash;
}

/**
 * The bucket of a category in item_content:category_hash and
 * user_taste:category_affinity: FNV-1a 32-bit of the category string mod 32.
 * Undefined for an item without a category.
 */
export function categoryBucket(category: string, buckets: number = CATEGORY_BUCKETS): number | undefined {
  return category === "" ? undefined : fnv1a32(category) % buckets;
}
