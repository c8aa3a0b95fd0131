import type { FeatureView } from "../registry/feature-registry.js";

/** Every stored feature row lives under this prefix; replay deletes only these keys. */
export const STORAGE_PREFIX = "feat:";

/** Key of one entity's row of a view; the view version is part of it, so a new layout never reads an old row. */
export function storageKey(view: FeatureView, entityId: string): string {
  return `${STORAGE_PREFIX}${view.name}:v${view.version}:${entityId}`;
}

/** The prefix every key of one view version shares (`storageKey(view, id)` is this + id). */
export function viewKeyPrefix(view: FeatureView): string {
  return `${STORAGE_PREFIX}${view.name}:v${view.version}:`;
}

export interface RowWrite {
  key: string;
  /** The stored row's sequence mark when it was read; null when the key was absent. */
  expected: Uint8Array | null;
  blob: Uint8Array;
  /** Expiry after this write; 0 never. */
  ttlMs: number;
}

/** Where packed rows live (Redis). Failures of the store itself surface as UnavailableError. */
export interface RowStore {
  /** The blobs of these keys in order, null where a key is absent. */
  read(keys: string[]): Promise<(Buffer | null)[]>;
  /** Each write happens only if its key still holds the expected mark; true per write that happened. */
  writeIfUnchanged(writes: RowWrite[]): Promise<boolean[]>;
}
