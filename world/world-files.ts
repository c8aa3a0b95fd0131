import { createHash, type Hash } from "node:crypto";
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { World } from "./generate-world.js";
import type { WorldManifest } from "./world-manifest.js";
import { WORLD_INTERACTION_TYPES, type WorldInteraction, type WorldInteractionType } from "./world-types.js";

/** The ground-truth files of a world directory, in fingerprint order. */
export const WORLD_FILES = {
  items: "items.jsonl",
  users: "users.jsonl",
  interactions: "interactions.jsonl",
  heldout: "heldout.jsonl",
} as const;

export type WorldFileKey = keyof typeof WORLD_FILES;

export const MANIFEST_FILE = "manifest.json";
export const WORLD_FORMAT = 1;

const LINES_PER_CHUNK = 5_000;

function records(world: World, key: WorldFileKey): readonly object[] {
  return key === "items" ? world.items : key === "users" ? world.users : key === "interactions" ? world.interactions : world.heldout;
}

/** The JSON Lines text of one file, in chunks of whole lines. */
function* chunks(world: World, key: WorldFileKey): Generator<string> {
  const list = records(world, key);
  for (let start = 0; start < list.length; start += LINES_PER_CHUNK) {
    let text = "";
    for (const record of list.slice(start, start + LINES_PER_CHUNK)) text += `${JSON.stringify(record)}\n`;
    yield text;
  }
}

/** sha256 of the digests of every file, in order: one hash naming the whole content. */
export function combineDigests(files: Record<WorldFileKey, string>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(WORLD_FILES) as WorldFileKey[]) hash.update(`${WORLD_FILES[key]}:${files[key]}\n`);
  return hash.digest("hex");
}

function countByType(interactions: WorldInteraction[]): Record<WorldInteractionType, number> {
  const counts = Object.fromEntries(WORLD_INTERACTION_TYPES.map((t) => [t, 0])) as Record<WorldInteractionType, number>;
  for (const i of interactions) counts[i.type] += 1;
  return counts;
}

/** Serialises the world, passing each chunk to `sink`, and returns its manifest (digests and fingerprint). */
function serialise(world: World, sink: (key: WorldFileKey, text: string) => void): WorldManifest {
  const digests = {} as Record<WorldFileKey, string>;
  for (const key of Object.keys(WORLD_FILES) as WorldFileKey[]) {
    const hash: Hash = createHash("sha256");
    for (const text of chunks(world, key)) {
      hash.update(text);
      sink(key, text);
    }
    digests[key] = hash.digest("hex");
  }
  return {
    format: WORLD_FORMAT,
    options: world.options,
    endTime: new Date(world.options.endTime).toISOString(),
    heldoutFrom: new Date(world.heldoutFrom).toISOString(),
    counts: {
      items: world.items.length,
      users: world.users.length,
      interactions: world.interactions.length,
      heldout: world.heldout.length,
      interactionsByType: countByType(world.interactions),
      heldoutByType: countByType(world.heldout),
    },
    files: digests,
    fingerprint: combineDigests(digests),
  };
}

/** The manifest the world's files would have, without writing them. */
export function worldManifest(world: World): WorldManifest {
  return serialise(world, () => undefined);
}

/**
 * Writes the ground truth into `dir`: each file under a temporary name renamed
 * into place, the manifest last (a directory with a manifest is complete).
 */
export function writeWorld(world: World, dir: string): WorldManifest {
  mkdirSync(dir, { recursive: true });
  const fds = new Map<WorldFileKey, number>();
  const tmp = (key: WorldFileKey) => join(dir, `${WORLD_FILES[key]}.tmp`);
  let manifest: WorldManifest;
  try {
    manifest = serialise(world, (key, text) => {
      let fd = fds.get(key);
      if (fd === undefined) {
        fd = openSync(tmp(key), "w");
        fds.set(key, fd);
      }
      writeSync(fd, text);
    });
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  for (const key of Object.keys(WORLD_FILES) as WorldFileKey[]) {
    if (fds.has(key)) renameSync(tmp(key), join(dir, WORLD_FILES[key]));
    else writeFileSync(join(dir, WORLD_FILES[key]), "");
  }
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
