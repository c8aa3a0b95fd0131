import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeatureBlock } from "../../gen/recmesh/common/v1/features.js";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceClient, RankRequest } from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { checkHealth } from "../../services/kit/grpc/health-client.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { freePort } from "../../services/kit/infra/free-port.js";
import { ManagedProcess } from "../../services/kit/infra/managed-process.js";
import { contractFromManifestJson } from "../../services/ranking/adapters/manifest-codec.js";
import { MODEL_DIR, streamLookup } from "./rank-workload.js";
import { rawSession } from "./raw-onnx-session.js";

const ENTRY = fileURLToPath(new URL("./transport-floor-server.ts", import.meta.url));
const ROWS = 3;
const contract = contractFromManifestJson(readFileSync(join(MODEL_DIR, "manifest.json"), "utf8"));
const input = Float32Array.from({ length: ROWS * contract.input.width }, (_, i) => (i % 7) / 7);
const block = FeatureBlock.fromPartial({ view: "item_content", viewVersion: 1, width: 2, values: Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer) });

describe("transport floor server", () => {
  const dir = mkdtempSync(join(tmpdir(), "recmesh-transport-floor-"));
  let server: ManagedProcess;
  let address: string;

  beforeAll(async () => {
    writeFileSync(join(dir, "input.f32"), new Uint8Array(input.buffer));
    writeFileSync(join(dir, "block.bin"), FeatureBlock.encode(block).finish());
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    server = new ManagedProcess("transport-floor", process.execPath, ["--import", "tsx", ENTRY], join(dir, "server.log"), {
      ...process.env,
      LOG_LEVEL: "warn",
      RECMESH_RANKING_PORT: String(port),
      RECMESH_RANKING_ADMIN_PORT: String(await freePort()),
      RECMESH_FLOOR_INPUT: join(dir, "input.f32"),
      RECMESH_FLOOR_BLOCK: join(dir, "block.bin"),
    });
    while ((await checkHealth(address).catch(() => "UNREACHABLE")) !== "SERVING") {
      if (!server.running) throw new Error(`the transport floor exited:\n${server.outputTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers Rank with the scores of one session.run on the stored input", async () => {
    const session = await rawSession(new Uint8Array(readFileSync(join(MODEL_DIR, contract.file))), contract, { intraOpThreads: 1, allowSpinning: false });
    const expected = await session.run(input, ROWS);
    await session.release();
    const client = new RankingServiceClient(address, credentials.createInsecure());
    try {
      const res = await unaryCall(client.rank.bind(client), RankRequest.fromPartial({ userId: "u", itemIds: ["a", "b", "c"] }), { deadline: Date.now() + 10_000 });
      expect(res.scores).toHaveLength(ROWS);
      res.scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i] ?? NaN, 5));
      expect(res.order).toEqual([0, 1, 2]);
    } finally {
      client.close();
    }
  });

  it("answers every StreamFeatures lookup with the stored block, in order", async () => {
    const client = new FeatureServiceClient(address, credentials.createInsecure());
    try {
      const blocks = await streamLookup(client, [
        { view: "item_content", entityIds: ["a", "b", "c"] },
        { view: "item_content", entityIds: ["d"] },
      ]);
      expect(blocks).toEqual([block, block]);
    } finally {
      client.close();
    }
  });
});
