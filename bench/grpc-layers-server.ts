/**
 * The gRPC layers a recmesh unary call passes through, each on its own port (a
 * benchmark reference, not a service): grpc-js alone, grpc-js with the kit's
 * handler adapter (RpcAdapter and tolerant decoding), grpc-js with the kit's
 * server interceptors, and the kit's ServiceServer with both, as the services
 * run. Every layer answers Rank with stored scores, one per requested item, so
 * no ranking code runs behind any of them. bench/grpc-layers.ts starts it as a
 * process and reads the ports from the `{"layers":…}` line it prints.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerInterceptor, type ServerUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { z } from "zod";
import { RankingServiceService, RankResponse, type RankRequest } from "../gen/recmesh/ranking/v1/ranking_service.js";
import { serverConfigShape, serverSettings, type ServerSettings } from "../services/kit/config/common-config.js";
import { loadConfig } from "../services/kit/config/load-config.js";
import { RpcAdapter } from "../services/kit/grpc/handlers.js";
import { deadlineInterceptor } from "../services/kit/grpc/interceptors/deadline-interceptor.js";
import { loggingInterceptor } from "../services/kit/grpc/interceptors/logging-interceptor.js";
import { metricsInterceptor } from "../services/kit/grpc/interceptors/metrics-interceptor.js";
import { streamLimitInterceptor } from "../services/kit/grpc/interceptors/stream-limit-interceptor.js";
import { ServiceServer } from "../services/kit/grpc/service-server.js";
import { tolerantDefinition } from "../services/kit/grpc/unparseable.js";
import { createRuntime, isEntryPoint, runAsMain } from "../services/kit/runtime.js";
import type { ServiceMetrics } from "../services/kit/telemetry/metrics.js";

export const LAYERS = ["grpc-js alone", "grpc-js + kit handler adapter", "grpc-js + kit interceptors", "kit ServiceServer (both)"] as const;
export type Layer = (typeof LAYERS)[number];

const MAX_ITEMS = 1000;
const STORED = RankResponse.create({
  scores: Array.from({ length: MAX_ITEMS }, (_, i) => i / MAX_ITEMS),
  order: Array.from({ length: MAX_ITEMS }, (_, i) => i),
  executionProvider: "cpu",
});
const answer = (req: RankRequest): RankResponse => {
  const n = Math.min(req.itemIds.length, MAX_ITEMS);
  return { ...STORED, scores: STORED.scores.slice(0, n), order: STORED.order.slice(0, n) };
};

export interface LayerServers {
  ports: Record<Layer, number>;
  close(): Promise<void>;
}

export async function startLayerServers(settings: ServerSettings, logger: Logger, metrics: ServiceMetrics): Promise<LayerServers> {
  const plain = (call: ServerUnaryCall<RankRequest, RankResponse>, callback: sendUnaryData<RankResponse>) => callback(null, answer(call.request));
  const adapted = new RpcAdapter("GrpcLayers", logger, settings.defaultDeadlineMs).unary("Rank", async (req: RankRequest) => answer(req));
  const interceptors: ServerInterceptor[] = [
    loggingInterceptor(logger),
    metricsInterceptor(metrics),
    deadlineInterceptor(settings.minDeadlineMs),
    streamLimitInterceptor(settings.maxOpenStreams, metrics),
  ];
  const grpcOnly = async (handler: unknown, tolerant: boolean, withInterceptors: boolean) => {
    const server = new Server({
      "grpc.max_receive_message_length": settings.maxMessageBytes,
      "grpc.max_send_message_length": settings.maxMessageBytes,
      "grpc.max_concurrent_streams": settings.maxConcurrentStreams,
      interceptors: withInterceptors ? interceptors : [],
    });
    server.addService(tolerant ? tolerantDefinition(RankingServiceService) : RankingServiceService, { rank: handler as typeof plain });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${settings.host}:0`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return { port, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
  };
  const alone = await grpcOnly(plain, false, false);
  const withAdapter = await grpcOnly(adapted, true, false);
  const withInterceptors = await grpcOnly(plain, false, true);
  const kit = new ServiceServer({ settings: { ...settings, grpcPort: 0, adminPort: 0 }, logger, metrics, services: [{ definition: RankingServiceService, implementation: { rank: adapted } }] });
  const { grpcPort } = await kit.listen();
  kit.markServing();
  const ports: Record<Layer, number> = {
    "grpc-js alone": alone.port,
    "grpc-js + kit handler adapter": withAdapter.port,
    "grpc-js + kit interceptors": withInterceptors.port,
    "kit ServiceServer (both)": grpcPort,
  };
  const servers = [alone, withAdapter, withInterceptors];
  return { ports, close: async () => void (await Promise.all([...servers.map((s) => s.close()), kit.drain()])) };
}

async function start() {
  const env = loadConfig(z.object(serverConfigShape));
  const settings = serverSettings("ranking", { grpcPort: 0, adminPort: 0 }, env);
  const { logger, metrics, lifecycle } = await createRuntime(settings);
  const layers = await startLayerServers(settings, logger, metrics);
  lifecycle.add("layers", () => layers.close());
  process.stdout.write(`${JSON.stringify({ layers: layers.ports })}\n`);
  return { lifecycle };
}

if (isEntryPoint(import.meta.url)) runAsMain(start);
