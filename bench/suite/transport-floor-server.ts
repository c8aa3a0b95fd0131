/**
 * What a call through recmesh's gRPC layer costs before any recmesh code runs
 * (a benchmark reference, not a service): a kit ServiceServer — the services'
 * interceptors, handler adapter and message limits — whose Rank is one raw
 * session.run on a stored model input and whose StreamFeatures answers every
 * lookup with a stored feature block (serialized as the feature service
 * serializes its answers). No ranking code, no Redis. The suite
 * starts it beside the stack (services-phase.ts) and compares the real Rank
 * and StreamFeatures with it.
 *
 *   RECMESH_FLOOR_INPUT   file of rows × width little-endian float32: the model input
 *   RECMESH_FLOOR_BLOCK   file of one encoded FeatureBlock: the answer to every lookup
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { FeatureBlock } from "../../gen/recmesh/common/v1/features.js";
import type { StreamFeaturesRequest, StreamFeaturesResponse } from "../../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceService, RankResponse, type RankRequest } from "../../gen/recmesh/ranking/v1/ranking_service.js";
import { FEATURE_SERVICE_DEFINITION } from "../../services/feature/adapters/service-definition.js";
import { serverConfigShape, serverSettings } from "../../services/kit/config/common-config.js";
import { port } from "../../services/kit/config/env-types.js";
import { loadConfig } from "../../services/kit/config/load-config.js";
import { RpcAdapter } from "../../services/kit/grpc/handlers.js";
import { ServiceServer } from "../../services/kit/grpc/service-server.js";
import { createRuntime, runAsMain } from "../../services/kit/runtime.js";
import { contractFromManifestJson } from "../../services/ranking/adapters/manifest-codec.js";
import { MODEL_DIR } from "./rank-workload.js";
import { rawSession } from "./raw-onnx-session.js";

const env = loadConfig(
  z.object({
    ...serverConfigShape,
    RECMESH_RANKING_PORT: port(0),
    RECMESH_RANKING_ADMIN_PORT: port(0),
    RECMESH_FLOOR_INPUT: z.string(),
    RECMESH_FLOOR_BLOCK: z.string(),
  }),
);

async function start() {
  const settings = serverSettings("ranking", { grpcPort: env.RECMESH_RANKING_PORT, adminPort: env.RECMESH_RANKING_ADMIN_PORT }, env);
  const { logger, metrics, lifecycle } = await createRuntime(settings);
  const bytes = readFileSync(env.RECMESH_FLOOR_INPUT);
  const input = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const block = FeatureBlock.decode(readFileSync(env.RECMESH_FLOOR_BLOCK));
  const contract = contractFromManifestJson(readFileSync(join(MODEL_DIR, "manifest.json"), "utf8"));
  const session = await rawSession(new Uint8Array(readFileSync(join(MODEL_DIR, contract.file))), contract, { intraOpThreads: 1, allowSpinning: false });
  lifecycle.add("session", () => session.release());
  const rows = input.length / contract.input.width;
  const order = Array.from({ length: rows }, (_, i) => i);

  const rpc = new RpcAdapter("TransportFloor", logger, settings.defaultDeadlineMs);
  const server = new ServiceServer({
    settings,
    logger,
    metrics,
    services: [
      {
        definition: RankingServiceService,
        implementation: {
          rank: rpc.unary("Rank", async (req: RankRequest) => {
            const scores = await session.run(input, Math.min(rows, req.itemIds.length));
            return RankResponse.create({ scores: [...scores], order: order.slice(0, scores.length), executionProvider: "cpu" });
          }),
        },
      },
      {
        definition: FEATURE_SERVICE_DEFINITION,
        implementation: {
          streamFeatures: rpc.bidi("StreamFeatures", async function* (requests: AsyncIterable<StreamFeaturesRequest>): AsyncIterable<StreamFeaturesResponse> {
            for await (const req of requests) yield { lookupId: req.lookupId, block, error: undefined };
          }),
        },
      },
    ],
  });
  await server.listen();
  lifecycle.add("grpc", () => server.drain());
  server.markServing();
  return { lifecycle };
}

runAsMain(start);
