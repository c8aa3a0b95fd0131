import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CandidateIndex } from "../index/candidate-index.js";
import { ANN_SETTINGS, INDEX_SETTINGS, applyAll, direction, interaction, item, newIndex } from "../testing/index-fixtures.js";
import type { HnswVectorIndex } from "./hnsw-vector-index.js";
import { SnapshotStore } from "./snapshot-store.js";

const STREAM = { name: "EVENTS", created: "2025-06-01T00:00:00Z" };
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "candidate-snapshot-"));
  dirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function populated(): CandidateIndex {
  const index = newIndex();
  const events = [];
  for (let i = 0; i < 40; i++) events.push(item(`i${i}`, i % 2 ? "books" : "games", direction(i % 32, (i + 3) % 32, i / 40)));
  for (let i = 0; i < 60; i++) events.push(interaction(`u${i % 7}`, `i${(i * 7) % 40}`, i));
  applyAll(index, events);
  return index;
}

describe("SnapshotStore", () => {
  it("round-trips the whole index: state, vectors and sequence", async () => {
    const store = new SnapshotStore(tempDir());
    const index = populated();
    await store.write(STREAM, index.export(), index.vectors as HnswVectorIndex);
    const loaded = await store.read(ANN_SETTINGS);
    expect(loaded?.stream).toEqual(STREAM);
    const restored = new CandidateIndex(INDEX_SETTINGS, loaded?.vectors as HnswVectorIndex, loaded?.state);
    expect(restored.lastSequence).toBe(100);
    expect(restored.export()).toEqual(index.export());
    expect(restored.vectors.size).toBe(40);
    for (const axis of [0, 7, 19]) expect(restored.vectors.search(direction(axis), 10)).toEqual(index.vectors.search(direction(axis), 10));
    expect([...restored.popularity.ranked("books")]).toEqual([...index.popularity.ranked("books")]);
  });

  it("keeps growing after a restore and replaces the previous snapshot", async () => {
    const dir = tempDir();
    const store = new SnapshotStore(dir);
    const index = populated();
    await store.write(STREAM, index.export(), index.vectors as HnswVectorIndex);
    const loaded = await store.read(ANN_SETTINGS);
    const restored = new CandidateIndex(INDEX_SETTINGS, loaded?.vectors as HnswVectorIndex, loaded?.state);
    restored.apply(101, item("late", "books", direction(3, 4, 0.1)));
    expect(restored.vectors.search(direction(3, 4, 0.1), 1).labels).toEqual([restored.catalog.label("late")]);
    await store.write(STREAM, restored.export(), restored.vectors as HnswVectorIndex);
    expect(readdirSync(dir).sort()).toEqual(["CURRENT", "snapshot-101"]);
    expect((await store.read(ANN_SETTINGS))?.state.sequence).toBe(101);
  });

  it("has nothing to load in an empty directory and refuses a corrupt snapshot", async () => {
    const dir = tempDir();
    const store = new SnapshotStore(dir);
    expect(await store.read(ANN_SETTINGS)).toBeUndefined();
    writeFileSync(join(dir, "CURRENT"), "snapshot-9");
    await expect(store.read(ANN_SETTINGS)).rejects.toThrow();
  });
});
