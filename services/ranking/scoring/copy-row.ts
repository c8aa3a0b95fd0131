/** Copies at least this long go through a native set(); shorter ones element by element, which beats making a view. */
const NATIVE_COPY_LENGTH = 16;

/** Copies `length` floats from `source[from…]` to `target[to…]`, the faster way for the length. */
export function copyRow(source: Float32Array, from: number, target: Float32Array, to: number, length: number): void {
  if (length >= NATIVE_COPY_LENGTH) {
    target.set(source.subarray(from, from + length), to);
    return;
  }
  for (let k = 0; k < length; k++) target[to + k] = source[from + k] as number;
}
