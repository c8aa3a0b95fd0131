import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateWorld } from "./generate-world.js";
import { MANIFEST_FILE, WORLD_FILES, worldManifest, writeWorld } from "./world-files.js";
import { resolveWorldOptions } from "./world-options.js";
import { WorldFileError, loadWorld, readHeldout, readWorldItems, readWorldManifest, readWorldUsers } from "./world-readers.js";

describe("world ground-truth files", () => {
  const root = mkdtempSync(join(tmpdir(), "recmesh-world-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const options = resolveWorldOptions({ preset: "small", seed: 5, users: 150, items: 500, endTime: Date.UTC(2025, 4, 1) });
  const world = generateWorld(options);

  it("writes byte-identical files for the same seed, with the manifest's fingerprint", () => {
    const a = writeWorld(world, join(root, "a"));
    const b = writeWorld(generateWorld(options), join(root, "b"));
    for (const file of [...Object.values(WORLD_FILES), MANIFEST_FILE]) {
      expect(readFileSync(join(root, "b", file)).equals(readFileSync(join(root, "a", file)))).toBe(true);
    }
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a).toEqual(worldManifest(world));
    expect(a.counts).toMatchObject({ items: 500, users: 150, interactions: world.interactions.length, heldout: world.heldout.length });
  });

  it("reads back exactly what was generated", () => {
    const dir = join(root, "a");
    expect(readWorldManifest(dir).options).toEqual(options);
    expect(readWorldItems(dir)).toEqual(world.items);
    expect(readWorldUsers(dir)).toEqual(world.users);
    expect(readHeldout(dir)).toEqual(world.heldout);
    const loaded = loadWorld(dir);
    expect(loaded.interactions).toEqual(world.interactions);
    expect(loaded.manifest.fingerprint).toBe(worldManifest(world).fingerprint);
  });

  it("refuses files that no longer match their manifest, and names a malformed line", () => {
    const dir = join(root, "b");
    const path = join(dir, WORLD_FILES.heldout);
    const lines = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, [lines[0], "{not json", ...lines.slice(2)].join("\n"));
    expect(() => loadWorld(dir)).toThrow(WorldFileError);
    expect(() => loadWorld(dir)).toThrow(/heldout\.jsonl does not match manifest\.json/);
    expect(() => readHeldout(dir)).toThrow(/heldout\.jsonl:2: not JSON/);
  });
});
