/** Row status numbers, the same as recmesh.common.v1.FeatureStatus. */
export const ROW_PRESENT = 1;
export const ROW_MISSING = 2;
export const ROW_STALE = 3;

/** Packed rows of one feature view for several entities (the FeatureBlock of the hot path). */
export interface FeatureRows {
  view: string;
  viewVersion: number;
  width: number;
  rows: number;
  /** rows × width floats, row-major. */
  values: Float32Array;
  /** One status per row. */
  statuses: Uint8Array;
}
