import { Metadata } from "@grpc/grpc-js";
import type { FeatureServiceClient, StreamFeaturesResponse } from "../../gen/recmesh/feature/v1/feature_service.js";
import { rowsFromBlock } from "../../services/ranking/adapters/feature-block-codec.js";
import type { FeatureRows } from "../../services/ranking/scoring/feature-rows.js";

const CHUNK = 1_000;

/**
 * Reads one view's packed rows for many entities through StreamFeatures — the
 * path serving uses — in chunks, and returns them as one block in `ids` order.
 */
export function lookupRows(client: FeatureServiceClient, view: string, ids: readonly string[]): Promise<FeatureRows> {
  return new Promise((resolve, reject) => {
    const chunks = new Map<string, FeatureRows>();
    const stream = client.streamFeatures(new Metadata(), { deadline: Date.now() + 120_000 });
    stream.on("data", (r: StreamFeaturesResponse) => {
      if (!r.block) {
        reject(new Error(`feature lookup ${view}/${r.lookupId} failed: ${r.error?.message ?? "no block"}`));
        stream.cancel();
        return;
      }
      chunks.set(r.lookupId, rowsFromBlock(r.block, view));
    });
    stream.on("error", reject);
    stream.on("end", () => {
      const parts = [...Array(Math.ceil(ids.length / CHUNK)).keys()].map((i) => chunks.get(String(i)));
      if (parts.some((p) => p === undefined)) {
        reject(new Error(`feature lookup ${view}: missing answers`));
        return;
      }
      resolve(concatRows(parts as FeatureRows[]));
    });
    for (let i = 0; i * CHUNK < ids.length; i++) {
      stream.write({ lookupId: String(i), view, entityIds: ids.slice(i * CHUNK, (i + 1) * CHUNK) });
    }
    stream.end();
  });
}

function concatRows(parts: FeatureRows[]): FeatureRows {
  const first = parts[0] as FeatureRows;
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const values = new Float32Array(rows * first.width);
  const statuses = new Uint8Array(rows);
  let at = 0;
  for (const p of parts) {
    values.set(p.values, at * first.width);
    statuses.set(p.statuses, at);
    at += p.rows;
  }
  return { ...first, rows, values, statuses };
}

/** The rows at `indices` of a block, in that order. */
export function pickRows(block: FeatureRows, indices: readonly number[]): FeatureRows {
  const values = new Float32Array(indices.length * block.width);
  const statuses = new Uint8Array(indices.length);
  indices.forEach((src, dst) => {
    values.set(block.values.subarray(src * block.width, (src + 1) * block.width), dst * block.width);
    statuses[dst] = block.statuses[src] ?? 0;
  });
  return { ...block, rows: indices.length, values, statuses };
}
