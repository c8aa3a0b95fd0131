import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { MANIFEST_FILE, WORLD_FILES, combineDigests, type WorldFileKey } from "./world-files.js";
import { worldInteractionSchema, worldItemSchema, worldManifestSchema, worldUserSchema, type WorldManifest } from "./world-manifest.js";
import type { WorldInteraction, WorldItem, WorldUser } from "./world-types.js";

/** A world directory whose files are missing, malformed or do not match their manifest. */
export class WorldFileError extends Error {
  override name = "WorldFileError";
}

export interface LoadedWorld {
  manifest: WorldManifest;
  items: WorldItem[];
  users: WorldUser[];
  interactions: WorldInteraction[];
  heldout: WorldInteraction[];
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new WorldFileError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function readWorldManifest(dir: string): WorldManifest {
  const path = join(dir, MANIFEST_FILE);
  const parsed = worldManifestSchema.safeParse(JSON.parse(readText(path)));
  if (!parsed.success) throw new WorldFileError(`${path}: ${parsed.error.issues[0]?.message ?? "invalid manifest"}`);
  return parsed.data;
}

function parseLines<S extends z.ZodType>(path: string, text: string, schema: S): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new WorldFileError(`${path}:${i + 1}: not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new WorldFileError(`${path}:${i + 1}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`);
    }
    out.push(parsed.data);
  }
  return out;
}

function readFile<S extends z.ZodType>(dir: string, key: WorldFileKey, schema: S): z.infer<S>[] {
  const path = join(dir, WORLD_FILES[key]);
  return parseLines(path, readText(path), schema);
}

export const readWorldItems = (dir: string): WorldItem[] => readFile(dir, "items", worldItemSchema);
export const readWorldUsers = (dir: string): WorldUser[] => readFile(dir, "users", worldUserSchema);
/** The published (training) history, oldest first. */
export const readWorldInteractions = (dir: string): WorldInteraction[] => readFile(dir, "interactions", worldInteractionSchema);
/** The held-out future slice, oldest first: the ground truth of quality evaluations. */
export const readHeldout = (dir: string): WorldInteraction[] => readFile(dir, "heldout", worldInteractionSchema);

/** Every file of a world directory, checked against the manifest's digests (stale or edited files are refused). */
export function loadWorld(dir: string): LoadedWorld {
  const manifest = readWorldManifest(dir);
  const texts = {} as Record<WorldFileKey, string>;
  const digests = {} as Record<WorldFileKey, string>;
  for (const key of Object.keys(WORLD_FILES) as WorldFileKey[]) {
    texts[key] = readText(join(dir, WORLD_FILES[key]));
    digests[key] = createHash("sha256").update(texts[key]).digest("hex");
    if (digests[key] !== manifest.files[key]) throw new WorldFileError(`${join(dir, WORLD_FILES[key])} does not match ${MANIFEST_FILE} (sha256 differs)`);
  }
  if (combineDigests(digests) !== manifest.fingerprint) throw new WorldFileError(`${join(dir, MANIFEST_FILE)}: fingerprint does not match the files`);
  const parse = <S extends z.ZodType>(key: WorldFileKey, schema: S) => parseLines(join(dir, WORLD_FILES[key]), texts[key], schema);
  return {
    manifest,
    items: parse("items", worldItemSchema),
    users: parse("users", worldUserSchema),
    interactions: parse("interactions", worldInteractionSchema),
    heldout: parse("heldout", worldInteractionSchema),
  };
}
