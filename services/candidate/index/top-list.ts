/**
 * The `capacity` labels with the highest keys, best first, for keys that only
 * ever grow per label (log-space decayed popularity). Because a label's key
 * never shrinks, a label pushed out can only come back by growing, which
 * offers it again: the list stays exact without ever rescanning. Ties break
 * by label, so a replay of the same events gives the same list.
 */
export class TopList {
  private readonly labels: number[] = [];
  private readonly keys: number[] = [];
  private readonly members = new Set<number>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.labels.length;
  }

  offer(label: number, key: number): void {
    if (this.members.has(label)) this.removeAt(this.labels.indexOf(label));
    else if (this.labels.length >= this.capacity && !this.before(key, label, this.labels.length - 1)) return;
    let lo = 0;
    let hi = this.labels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(key, label, mid)) hi = mid;
      else lo = mid + 1;
    }
    this.labels.splice(lo, 0, label);
    this.keys.splice(lo, 0, key);
    this.members.add(label);
    if (this.labels.length > this.capacity) this.removeAt(this.labels.length - 1);
  }

  remove(label: number): boolean {
    if (!this.members.has(label)) return false;
    this.removeAt(this.labels.indexOf(label));
    return true;
  }

  *entries(): Generator<{ label: number; key: number }> {
    for (let i = 0; i < this.labels.length; i++) yield { label: this.labels[i] as number, key: this.keys[i] as number };
  }

  /** True when (key, label) sorts before the entry at index i. */
  private before(key: number, label: number, i: number): boolean {
    const k = this.keys[i] as number;
    return key > k || (key === k && label < (this.labels[i] as number));
  }

  private removeAt(i: number): void {
    const [label] = this.labels.splice(i, 1);
    this.keys.splice(i, 1);
    if (label !== undefined) this.members.delete(label);
  }
}
