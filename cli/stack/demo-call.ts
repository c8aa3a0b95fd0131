import { RecommendRequest, RecommenderServiceClient, DegradedComponent } from "../../gen/recmesh/recommender/v1/recommender_service.js";
import type { GrpcTlsSettings } from "../../services/kit/config/tls-config.js";
import { channelCredentials, tlsChannelOptions } from "../../services/kit/grpc/tls-credentials.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";

/** One Recommend through the front door, formatted for the console: proof the stack works end to end. */
export async function demoRecommend(address: string, userId: string, tls?: GrpcTlsSettings): Promise<string[]> {
  const client = new RecommenderServiceClient(address, channelCredentials(tls), tlsChannelOptions(tls));
  const call = () =>
    unaryCall(client.recommend.bind(client), RecommendRequest.fromPartial({ userId, count: 5, surface: "home" }), { deadline: Date.now() + 10_000 });
  try {
    // The first calls open every channel of every hop and warm the JIT; show a warm one.
    for (let i = 0; i < 3; i++) await call();
    const res = await call();
    const degraded = res.degraded.map((d) => DegradedComponent[d].replace("DEGRADED_COMPONENT_", "").toLowerCase());
    return [
      `Recommend(${userId}, 5) → model ${res.model ? `${res.model.name}/${res.model.version}` : "none"}${degraded.length ? `, degraded: ${degraded.join(", ")}` : ""}`,
      ...res.items.map((i, n) => `  ${n + 1}. ${i.itemId.padEnd(14)} ${i.category.padEnd(14)} score ${i.score.toFixed(3)}  via ${i.sources.join("+")}`),
    ];
  } finally {
    client.close();
  }
}
