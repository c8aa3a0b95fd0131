import type { Logger } from "pino";
import { CandidateIndex, type IndexSettings } from "../index/candidate-index.js";
import { HnswVectorIndex, type HnswSettings } from "./hnsw-vector-index.js";
import type { SnapshotStore, StreamIdentity } from "./snapshot-store.js";

export interface StreamPosition extends StreamIdentity {
  /** Sequence of the stream's last message (0: empty). */
  lastSequence: number;
}

/**
 * The index to start from: the current snapshot when it is a projection of
 * this very stream and not ahead of it, else an empty index (the indexer then
 * rebuilds it by replaying the stream from the start). An unreadable snapshot
 * is logged and ignored the same way.
 */
export async function loadIndex(
  store: SnapshotStore,
  stream: StreamPosition,
  settings: { index: IndexSettings; ann: HnswSettings },
  logger: Logger,
): Promise<{ index: CandidateIndex; vectors: HnswVectorIndex }> {
  const fresh = () => {
    const vectors = HnswVectorIndex.create(settings.ann);
    return { index: new CandidateIndex(settings.index, vectors), vectors };
  };
  let snapshot;
  try {
    snapshot = await store.read(settings.ann);
  } catch (err) {
    logger.warn({ err, dir: store.dir }, "candidate index snapshot unreadable: rebuilding from the stream");
    return fresh();
  }
  if (!snapshot) return fresh();
  const { state } = snapshot;
  if (snapshot.stream.name !== stream.name || snapshot.stream.created !== stream.created || state.sequence > stream.lastSequence) {
    logger.warn(
      { snapshotStream: snapshot.stream, stream, snapshotSequence: state.sequence },
      "candidate index snapshot belongs to another stream: rebuilding from the stream",
    );
    return fresh();
  }
  logger.info({ sequence: state.sequence, items: snapshot.vectors.size, dir: store.dir }, "candidate index loaded from snapshot");
  return { index: new CandidateIndex(settings.index, snapshot.vectors, state), vectors: snapshot.vectors };
}
