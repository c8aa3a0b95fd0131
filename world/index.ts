/** The synthetic world: a pure, seeded generator of catalog, users and history, and its ground-truth files. */
export { CATEGORIES, type CategorySpec } from "./categories.js";
export { derivedEmbedding } from "./derived-embedding.js";
export { ndcgAtK, recallAtK, relevantItemsByUser } from "./evaluation.js";
export { generateWorld, historyStamp, type World } from "./generate-world.js";
export { EMBEDDING_DIM, dot } from "./vectors.js";
export { MANIFEST_FILE, WORLD_FILES, writeWorld, worldManifest } from "./world-files.js";
export type { WorldManifest } from "./world-manifest.js";
export { WORLD_PRESETS, WORLD_PRESET_NAMES, resolveWorldOptions, worldEndForNow, type WorldOptions, type WorldPreset } from "./world-options.js";
export { WorldFileError, loadWorld, readHeldout, readWorldInteractions, readWorldItems, readWorldManifest, readWorldUsers, type LoadedWorld } from "./world-readers.js";
export * from "./world-types.js";
