/** Bytes of free buffers kept for reuse (every call in flight holds a few hundred KB); more are left to the collector. */
const FREE_BYTES = 32 * 2 ** 20;

type Kind = Float32ArrayConstructor | Uint8ArrayConstructor;

/**
 * Reused typed arrays for the per-call blocks of the ranking hot path (model
 * input, cached item rows). Every call needs a few hundred KB of them; fresh
 * allocations of that size are external memory to V8, and calls in flight
 * across I/O get them promoted, so at hundreds of calls a second they drive
 * frequent full collections. A
 * borrowed array is a view of a pooled buffer of the next power-of-two size,
 * holds whatever its last user wrote, and goes back with `release` once no
 * one reads it; releasing an array the pool did not lend does nothing.
 */
export class ScratchArrays {
  private readonly free = new Map<Kind, ArrayBuffer[][]>();
  private readonly lent = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes = FREE_BYTES) {}

  floats(length: number): Float32Array {
    return this.borrow(Float32Array, length);
  }

  bytes(length: number): Uint8Array {
    return this.borrow(Uint8Array, length);
  }

  release(array: Float32Array | Uint8Array): void {
    const buffer = array.buffer as ArrayBuffer;
    if (!this.lent.delete(buffer)) return;
    const Kind = array instanceof Float32Array ? Float32Array : Uint8Array;
    if (this.freeBytes + buffer.byteLength > this.maxFreeBytes) return;
    this.freeBytes += buffer.byteLength;
    this.classList(Kind, sizeClass(buffer.byteLength / Kind.BYTES_PER_ELEMENT)).push(buffer);
  }

  private borrow<A extends Kind>(Kind: A, length: number): InstanceType<A> {
    const size = sizeClass(length);
    const reused = this.classList(Kind, size).pop();
    if (reused) this.freeBytes -= reused.byteLength;
    const buffer = reused ?? new ArrayBuffer((1 << size) * Kind.BYTES_PER_ELEMENT);
    this.lent.add(buffer);
    return new Kind(buffer, 0, length) as InstanceType<A>;
  }

  private classList(Kind: Kind, size: number): ArrayBuffer[] {
    let classes = this.free.get(Kind);
    if (!classes) {
      classes = [];
      this.free.set(Kind, classes);
    }
    let list = classes[size];
    if (!list) {
      list = [];
      classes[size] = list;
    }
    return list;
  }
}

/** log2 of the smallest power of two holding `length` elements. */
function sizeClass(length: number): number {
  return length <= 1 ? 0 : 32 - Math.clz32(length - 1);
}
