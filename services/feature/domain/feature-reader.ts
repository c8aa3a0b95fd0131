import type { FeatureView } from "../registry/feature-registry.js";
import { finishRow, servedAsStored } from "./read-time.js";
import { storageKey, viewKeyPrefix, type RowStore } from "./row-store.js";
import { EVENT_TIME_OFFSET, blobBytes, headerBytes } from "./stored-row.js";

/** Row statuses, numbered as recmesh.common.v1.FeatureStatus numbers them (blocks carry the numbers as bytes). */
export const ROW_STATUS = { present: 1, missing: 2, stale: 3 } as const;

/** Whole rows of one view for many entities, packed as the hot path serves them. */
export interface RowBlock {
  view: FeatureView;
  entityIds: readonly string[];
  /** entityIds.length × view.width float32, row-major, in request order; aligned, so viewable as bytes. */
  values: Float32Array;
  /** One ROW_STATUS per row. */
  statuses: Uint8Array;
  /** Event time of each row (epoch ms), NaN where missing. */
  eventTimesMs: Float64Array;
}

/**
 * Reads packed rows with one store read (one MGET) per request and turns them
 * into served rows: copied into one aligned buffer, defaults for missing rows,
 * STALE past the view's max age, read-time features finished as of `clock()`.
 * No per-feature objects: this is the path StreamFeatures serves.
 */
export class FeatureReader {
  constructor(
    private readonly store: Pick<RowStore, "read">,
    private readonly clock: () => number = Date.now,
  ) {}

  async block(view: FeatureView, entityIds: readonly string[]): Promise<RowBlock> {
    const prefix = viewKeyPrefix(view);
    const keys = new Array<string>(entityIds.length);
    for (let i = 0; i < entityIds.length; i++) keys[i] = prefix + entityIds[i];
    const blobs = await this.store.read(keys);
    return this.assemble(view, entityIds, blobs, 0, this.clock());
  }

  /** Several views for the same entities, still one store read. */
  async blocks(views: FeatureView[], entityIds: readonly string[]): Promise<RowBlock[]> {
    const keys = views.flatMap((view) => entityIds.map((id) => storageKey(view, id)));
    const blobs = await this.store.read(keys);
    const now = this.clock();
    return views.map((view, v) => this.assemble(view, entityIds, blobs, v * entityIds.length, now));
  }

  private assemble(view: FeatureView, entityIds: readonly string[], blobs: (Buffer | null)[], start: number, now: number): RowBlock {
    const n = entityIds.length;
    const width = view.width;
    const rowBytes = 4 * width;
    const header = headerBytes(view);
    const size = blobBytes(view);
    const finish = !servedAsStored(view);
    const defaults = new Uint8Array(view.defaultRow.buffer, view.defaultRow.byteOffset, rowBytes);
    // Rows are copied, not viewed: client buffers sit at arbitrary offsets and
    // Float32Array needs 4-byte alignment. Whole blobs are copied, header
    // included, because copying a sub-range allocates a view per row: blob i
    // lands `header` bytes before row i, over the tail of row i - 1, which is
    // why rows are filled last to first. The header is a multiple of 8 bytes,
    // so the rows after it stay aligned; the buffer is neither zero-filled
    // (every row is written) nor pooled.
    const bytes = new Uint8Array(Buffer.allocUnsafeSlow(header + n * rowBytes).buffer);
    const values = new Float32Array(bytes.buffer, header, n * width);
    const statuses = new Uint8Array(n);
    const eventTimesMs = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const blob = blobs[start + i];
      if (!blob || blob.length !== size) {
        bytes.set(defaults, header + i * rowBytes);
        statuses[i] = ROW_STATUS.missing;
        eventTimesMs[i] = NaN;
        continue;
      }
      bytes.set(blob, i * rowBytes);
      const eventTime = blob.readDoubleLE(EVENT_TIME_OFFSET);
      eventTimesMs[i] = eventTime;
      const age = now - eventTime;
      statuses[i] = view.maxAgeMs > 0 && age > view.maxAgeMs ? ROW_STATUS.stale : ROW_STATUS.present;
      if (finish) finishRow(view, values, i * width, age);
    }
    return { view, entityIds, values, statuses, eventTimesMs };
  }
}
