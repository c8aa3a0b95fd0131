/** Nearest neighbours of a query vector among item labels, by cosine similarity. */
export interface VectorSearchResult {
  labels: number[];
  /** Cosine similarity of each label, best first. */
  similarities: number[];
}

/** An approximate nearest-neighbour index over item content embeddings (port; hnswlib-node implements it). */
export interface VectorIndex {
  readonly dimension: number;
  /** Points that can be returned. */
  readonly size: number;
  /** Adds or replaces the item's vector. */
  upsert(label: number, vector: Float32Array): void;
  /** Up to k nearest items accepted by `accept`, best first. */
  search(vector: Float32Array, k: number, accept?: (label: number) => boolean): VectorSearchResult;
}
