import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { IndexState } from "../index/candidate-index.js";
import { HnswVectorIndex, type HnswSettings } from "./hnsw-vector-index.js";

const FORMAT = 1;
const CURRENT = "CURRENT";
const STATE_FILE = "state.v8";
const VECTORS_FILE = "vectors.hnsw";
const PREFIX = "snapshot-";

/** Which stream a snapshot is a projection of: a stream recreated under the same name is another stream. */
export interface StreamIdentity {
  name: string;
  created: string;
}

export interface Snapshot {
  stream: StreamIdentity;
  state: IndexState;
  vectors: HnswVectorIndex;
}

interface StateFile {
  format: number;
  stream: StreamIdentity;
  state: IndexState;
}

/**
 * Snapshots of the candidate index on disk: each in its own directory
 * (snapshot-<sequence>/ with the state, serialised with node:v8, and the
 * hnswlib index file), written under a temporary name, renamed into place,
 * then made current by atomically replacing the CURRENT file. A crash at any
 * point leaves the previous snapshot current.
 */
export class SnapshotStore {
  constructor(readonly dir: string) {}

  async write(stream: StreamIdentity, state: IndexState, vectors: HnswVectorIndex): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const name = `${PREFIX}${state.sequence}`;
    const tmp = join(this.dir, `${name}.tmp`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp);
    const file: StateFile = { format: FORMAT, stream, state };
    await writeFile(join(tmp, STATE_FILE), serialize(file));
    await vectors.write(join(tmp, VECTORS_FILE));
    await rm(join(this.dir, name), { recursive: true, force: true });
    await rename(tmp, join(this.dir, name));
    await writeFile(join(this.dir, `${CURRENT}.tmp`), name);
    await rename(join(this.dir, `${CURRENT}.tmp`), join(this.dir, CURRENT));
    for (const entry of await readdir(this.dir)) {
      if (entry.startsWith(PREFIX) && entry !== name) await rm(join(this.dir, entry), { recursive: true, force: true });
    }
  }

  /** The current snapshot, or undefined when there is none. Throws on an unreadable one. */
  async read(settings: HnswSettings): Promise<Snapshot | undefined> {
    let name: string;
    try {
      name = (await readFile(join(this.dir, CURRENT), "utf8")).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    const file = deserialize(await readFile(join(this.dir, name, STATE_FILE))) as StateFile;
    if (file.format !== FORMAT) throw new Error(`snapshot ${name} has format ${file.format}; this build reads ${FORMAT}`);
    const vectors = await HnswVectorIndex.load(join(this.dir, name, VECTORS_FILE), settings);
    return { stream: file.stream, state: file.state, vectors };
  }
}
