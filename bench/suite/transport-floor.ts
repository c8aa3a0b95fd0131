import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FeatureBlock } from "../../gen/recmesh/common/v1/features.js";
import type { SuiteStack, ExtraInstance } from "./suite-stack.js";

const ENTRY = fileURLToPath(new URL("./transport-floor-server.ts", import.meta.url));

/**
 * Starts transport-floor-server.ts on the ranking's environment with this
 * model input (one Rank's rows) and this block (one StreamFeatures answer).
 */
export async function startTransportFloor(stack: SuiteStack, input: Float32Array, block: FeatureBlock): Promise<ExtraInstance> {
  const dir = join(stack.dataDir, "transport-floor");
  mkdirSync(dir, { recursive: true });
  const inputFile = join(dir, "input.f32");
  const blockFile = join(dir, "block.bin");
  writeFileSync(inputFile, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  writeFileSync(blockFile, FeatureBlock.encode(block).finish());
  return stack.startExtra("ranking", "transport-floor", { RECMESH_FLOOR_INPUT: inputFile, RECMESH_FLOOR_BLOCK: blockFile }, ENTRY);
}
