import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { RankingServiceClient, RankRequest } from "../gen/recmesh/ranking/v1/ranking_service.js";
import { serverConfigShape, serverSettings } from "../services/kit/config/common-config.js";
import { loadConfig } from "../services/kit/config/load-config.js";
import { createClient } from "../services/kit/grpc/client-factory.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import { ServiceMetrics } from "../services/kit/telemetry/metrics.js";
import { LAYERS, startLayerServers, type LayerServers } from "./grpc-layers-server.js";

async function rankOnce(port: number) {
  const client = createClient(RankingServiceClient, `127.0.0.1:${port}`, { maxMessageBytes: 4 * 1024 * 1024 });
  try {
    return await unaryCall(client.rank.bind(client), RankRequest.fromPartial({ userId: "u", itemIds: ["a", "b", "c"] }), { deadline: Date.now() + 10_000 });
  } finally {
    client.close();
  }
}

async function rankCallsCounted(metrics: ServiceMetrics): Promise<number> {
  const { values } = await metrics.rpcRequests.get();
  return values.filter((v) => v.labels.method === "RankingService/Rank").reduce((sum, v) => sum + v.value, 0);
}

describe("gRPC layer servers", () => {
  const metrics = new ServiceMetrics("ranking");
  let layers: LayerServers;

  beforeAll(async () => {
    const settings = serverSettings("ranking", { grpcPort: 0, adminPort: 0 }, loadConfig(z.object(serverConfigShape), {}));
    layers = await startLayerServers(settings, pino({ level: "silent" }), metrics);
  });

  afterAll(async () => {
    await layers?.close();
  });

  it("serves every layer on its own port", () => {
    expect(new Set(LAYERS.map((layer) => layers.ports[layer])).size).toBe(LAYERS.length);
  });

  it.each(LAYERS)("%s answers Rank with one stored score per requested item, in order", async (layer) => {
    const res = await rankOnce(layers.ports[layer]);
    expect(res.scores).toEqual([0, 0.001, 0.002].map((s) => Math.fround(s)));
    expect(res.order).toEqual([0, 1, 2]);
  });

  it("passes the kit's interceptors only on the layers that carry them", async () => {
    const before = await rankCallsCounted(metrics);
    for (const layer of LAYERS) await rankOnce(layers.ports[layer]);
    expect((await rankCallsCounted(metrics)) - before).toBe(2);
  });
});
