import { credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DegradedComponent,
  RecommendRequest,
  RecommenderServiceClient,
  type RecommendResponse,
} from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { TestStack, type ServiceName } from "./stack-harness.js";

const FLAG: Record<Exclude<ServiceName, "recommender">, DegradedComponent> = {
  experiment: DegradedComponent.DEGRADED_COMPONENT_EXPERIMENT,
  feature: DegradedComponent.DEGRADED_COMPONENT_FEATURES,
  candidate: DegradedComponent.DEGRADED_COMPONENT_CANDIDATES,
  ranking: DegradedComponent.DEGRADED_COMPONENT_RANKING,
};

describe("the front door stays up when any single dependency is down", () => {
  const stack = new TestStack(undefined, {
    recommender: { RECMESH_BREAKER_RESET_MS: "300", RECMESH_BREAKER_VOLUME_THRESHOLD: "3" },
  });
  let client: RecommenderServiceClient;

  beforeAll(async () => {
    await stack.start();
    client = new RecommenderServiceClient(stack.addresses.recommender, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await stack.stop();
  });

  const recommend = (): Promise<RecommendResponse> =>
    unaryCall(client.recommend.bind(client), RecommendRequest.fromPartial({ userId: "user-00012", count: 10, surface: "home" }), {
      deadline: Date.now() + 10_000,
    });

  const breakerState = async (dependency: string): Promise<number | undefined> => {
    const text = await (await fetch(`http://127.0.0.1:${stack.adminPorts.recommender}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith("recmesh_breaker_state{") && l.includes(`dependency="${dependency}"`));
    return line === undefined ? undefined : Number(line.split(" ").pop());
  };

  it.each(Object.keys(FLAG) as (keyof typeof FLAG)[])("%s down: answers non-empty and degraded; the breaker opens, then closes once it is back", async (name) => {
    expect((await recommend()).degraded).toEqual([]);
    await stack.stopService(name);
    // The breaker opens once failures pass 50 % of its rolling window, which still holds earlier successes.
    for (let i = 0; i < 200 && (await breakerState(name)) !== 2; i++) {
      const res = await recommend();
      expect(res.items.length).toBeGreaterThan(0);
      expect(res.degraded).toEqual([FLAG[name]]);
    }
    expect(await breakerState(name)).toBe(2);
    const whileOpen = await recommend();
    expect(whileOpen.items.length).toBeGreaterThan(0);
    expect(whileOpen.degraded).toEqual([FLAG[name]]);

    await stack.startService(name);
    let healthy: RecommendResponse | undefined;
    for (let i = 0; i < 200 && !healthy; i++) {
      const r = await recommend();
      if (r.degraded.length === 0) healthy = r;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(healthy?.items.length).toBe(10);
    expect(await breakerState(name)).toBe(0);
  });
});
