import hnswlib from "hnswlib-node";
import type { VectorIndex, VectorSearchResult } from "../index/vector-index.js";

export interface HnswSettings {
  dimension: number;
  /** Graph degree (hnswlib M). */
  m: number;
  efConstruction: number;
  /** Search breadth; hnswlib searches with max(ef, k). */
  efSearch: number;
  /** Points the index is first sized for; it doubles when full. */
  initialCapacity: number;
}

type Hnsw = InstanceType<typeof hnswlib.HierarchicalNSW>;

/**
 * The HNSW index of hnswlib-node in cosine space: distances come back as
 * 1 − cosine, turned into similarities here. It grows by doubling (resizeIndex)
 * as items arrive, and is saved and loaded whole for snapshots.
 */
export class HnswVectorIndex implements VectorIndex {
  private readonly labels = new Set<number>();

  private constructor(
    private readonly index: Hnsw,
    private readonly settings: HnswSettings,
  ) {
    index.setEf(settings.efSearch);
    for (const label of index.getIdsList()) this.labels.add(label);
  }

  static create(settings: HnswSettings): HnswVectorIndex {
    const index = new hnswlib.HierarchicalNSW("cosine", settings.dimension);
    index.initIndex({ maxElements: settings.initialCapacity, m: settings.m, efConstruction: settings.efConstruction, randomSeed: 100 });
    return new HnswVectorIndex(index, settings);
  }

  static async load(path: string, settings: HnswSettings): Promise<HnswVectorIndex> {
    const index = new hnswlib.HierarchicalNSW("cosine", settings.dimension);
    await index.readIndex(path);
    return new HnswVectorIndex(index, settings);
  }

  get dimension(): number {
    return this.settings.dimension;
  }

  get size(): number {
    return this.labels.size;
  }

  upsert(label: number, vector: Float32Array): void {
    if (vector.length !== this.settings.dimension) {
      throw new RangeError(`vector of ${vector.length} dimensions for an index of ${this.settings.dimension}`);
    }
    if (!this.labels.has(label) && this.index.getCurrentCount() >= this.index.getMaxElements()) {
      this.index.resizeIndex(Math.max(this.settings.initialCapacity, this.index.getMaxElements() * 2));
    }
    this.index.addPoint(Array.from(vector), label);
    this.labels.add(label);
  }

  search(vector: Float32Array, k: number, accept?: (label: number) => boolean): VectorSearchResult {
    const n = Math.min(k, this.labels.size);
    if (n === 0) return { labels: [], similarities: [] };
    const { neighbors, distances } = this.index.searchKnn(Array.from(vector), n, accept);
    return { labels: neighbors, similarities: distances.map((d) => 1 - d) };
  }

  /** Writes the whole index to `path` (off the main thread; the caller keeps writers out meanwhile). */
  async write(path: string): Promise<void> {
    await this.index.writeIndex(path);
  }
}
