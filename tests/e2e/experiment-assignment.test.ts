import { credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Assignment } from "../../gen/recmesh/common/v1/assignment.js";
import { RecommendRequest, RecommenderServiceClient } from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { ConditionOperator, experiment, ExperimentHarness, ExperimentStatus, until, type Instance } from "../../services/experiment/testing/experiment-harness.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { freePort } from "../../services/kit/infra/free-port.js";
import { testLogger } from "../../services/kit/testing/test-logger.js";
import { loadRecommenderConfig } from "../../services/recommender/config.js";
import { startRecommenderService } from "../../services/recommender/main.js";

type Recommender = Awaited<ReturnType<typeof startRecommenderService>>;

/** Assign calls the experiment service has answered, from its /metrics. */
async function assignCalls(instance: Instance): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${instance.service.adminPort}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^recmesh_rpc_server_requests_total\{[^}]*method="[^"]*Assign"[^}]*\} (\d+)/gm)) total += Number(m[1]);
  return total;
}

const comparable = (assignments: Assignment[]) =>
  assignments.map((a) => ({ experiment: a.experiment, variant: a.variant, layer: a.layer, forced: a.forced, bucket: a.bucket, params: a.params })).sort((x, y) => (x.experiment < y.experiment ? -1 : 1));

describe("experiment assignment in the recommender (WatchExperiments) against the experiment service's Assign, over real NATS and Redis", () => {
  let h: ExperimentHarness;
  let experiments: Instance;
  let dead: string;
  const started: Recommender[] = [];

  async function recommender(env: Record<string, string>): Promise<{ client: RecommenderServiceClient; recommend: (userId: string, attributes?: Record<string, string>) => Promise<Assignment[]> }> {
    const service = await startRecommenderService(
      loadRecommenderConfig({
        NATS_URL: h.infra.natsUrl,
        RECMESH_RECOMMENDER_PORT: "0",
        RECMESH_RECOMMENDER_ADMIN_PORT: "0",
        RECMESH_EXPERIMENT_ADDR: `127.0.0.1:${experiments.service.grpcPort}`,
        RECMESH_FEATURE_ADDR: dead,
        RECMESH_CANDIDATE_ADDR: dead,
        RECMESH_RANKING_ADDR: dead,
        ...env,
      }),
      { logger: testLogger() },
    );
    started.push(service);
    const client = new RecommenderServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
    const recommend = async (userId: string, attributes: Record<string, string> = {}) =>
      (await unaryCall(client.recommend.bind(client), RecommendRequest.fromPartial({ userId, count: 5, surface: "home", context: { attributes } }), { deadline: Date.now() + 5_000 })).assignments;
    return { client, recommend };
  }

  beforeAll(async () => {
    h = await ExperimentHarness.start();
    experiments = await h.startInstance();
    dead = `127.0.0.1:${await freePort()}`;
    await experiments.put(experiment("home-layout", { layer: "home", layerRange: { start: 0, end: 0.5 } }));
    await experiments.put(experiment("home-ranker", { layer: "home", layerRange: { start: 0.5, end: 1 }, coverage: 0.8, forcedVariants: { "qa-user": "treatment" } }));
    await experiments.put(experiment("ios-only", { coverage: 0.6, targeting: [{ attribute: "device", operator: ConditionOperator.CONDITION_OPERATOR_IN, values: ["ios"] }] }));
    await experiments.put(experiment("everyone"));
  });

  afterAll(async () => {
    for (const s of started) await s.stop();
    await h?.stop();
  });

  it("assigns every user exactly as Assign does, layers, targeting, coverage and QA overrides included, without calling Assign", async () => {
    const { client, recommend } = await recommender({});
    try {
      // Until the watch has delivered its snapshot, requests go through Assign; then no more Assign calls.
      await until(async () => {
        const before = await assignCalls(experiments);
        await recommend("user-sync");
        return (await assignCalls(experiments)) === before;
      }, 10_000, "local assignment");
      const before = await assignCalls(experiments);
      const users = [...Array.from({ length: 300 }, (_, i) => `user-${i}`), "qa-user"];
      for (const [i, userId] of users.entries()) {
        const attributes = i % 2 === 0 ? { device: "ios" } : { device: "android" };
        const local = await recommend(userId, attributes);
        const remote = (await experiments.assign(userId, attributes)).assignments;
        expect(comparable(local), userId).toEqual(comparable(remote));
      }
      expect(await assignCalls(experiments)).toBe(before + users.length);
      const qa = await recommend("qa-user");
      expect(qa.find((a) => a.experiment === "home-ranker")).toMatchObject({ variant: "treatment", forced: true });
    } finally {
      client.close();
    }
  });

  it("follows a definition change as the watch delivers it", async () => {
    const { client, recommend } = await recommender({});
    try {
      await until(async () => (await recommend("user-7")).some((a) => a.experiment === "everyone"), 10_000, "first assignment");
      await experiments.put(experiment("everyone", { status: ExperimentStatus.EXPERIMENT_STATUS_STOPPED }), (await experiments.get("everyone")).revision);
      await until(async () => !(await recommend("user-7")).some((a) => a.experiment === "everyone"), 10_000, "stopped experiment gone");
      await experiments.put(experiment("everyone"), (await experiments.get("everyone")).revision);
      await until(async () => (await recommend("user-7")).some((a) => a.experiment === "everyone"), 10_000, "running again");
    } finally {
      client.close();
    }
  });

  it("calls Assign for every request with RECMESH_RECOMMENDER_ASSIGNMENT=rpc", async () => {
    const { client, recommend } = await recommender({ RECMESH_RECOMMENDER_ASSIGNMENT: "rpc" });
    try {
      await recommend("user-1");
      const before = await assignCalls(experiments);
      for (let i = 0; i < 5; i++) await recommend(`user-${i}`);
      expect(await assignCalls(experiments)).toBe(before + 5);
    } finally {
      client.close();
    }
  });
});
