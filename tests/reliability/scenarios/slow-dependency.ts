import { setTimeout as sleep } from "node:timers/promises";
import { status, type ServiceError } from "@grpc/grpc-js";
import { ListModelsRequest, RankingServiceClient } from "../../../gen/recmesh/ranking/v1/ranking_service.js";
import { DegradedComponent } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { checkHealth } from "../../../services/kit/grpc/health-client.js";
import { createClient } from "../../../services/kit/grpc/client-factory.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { scrape, total } from "../harness/admin-metrics.js";
import { codeName } from "../harness/call-log.js";
import { answeredAfter, keepsAnswering, underLoad } from "./faulted-load.js";
import { check, type Scenario } from "./scenario.js";
import { STACK_ENV } from "./suite-settings.js";

const RANKING_TIMEOUT_MS = Number(STACK_ENV.RECMESH_RECOMMENDER_RANKING_TIMEOUT_MS);

/** A call through the slow path with the recommender's own ranking timeout: what status does a caller get? */
async function probeThroughProxy(proxyPort: number): Promise<string> {
  const client = createClient(RankingServiceClient, `127.0.0.1:${proxyPort}`, { maxMessageBytes: 1024 * 1024 });
  try {
    await unaryCall(client.listModels.bind(client), ListModelsRequest.create(), { deadline: Date.now() + RANKING_TIMEOUT_MS });
    return "OK";
  } catch (err) {
    return codeName((err as ServiceError).code ?? status.UNKNOWN);
  } finally {
    client.close();
  }
}

async function rankingFailures(adminUrl: string): Promise<number> {
  return total(await scrape(adminUrl), "recmesh_dependency_calls_total", { dependency: "ranking", outcome: "failure" });
}

/**
 * Ranking stays healthy but a loopback proxy in front of it adds more latency
 * than the recommender's ranking timeout. Every Recommend must still end
 * within its deadline (answered, ranked by popularity), the ranking calls
 * time out with DEADLINE_EXCEEDED and the breaker opens; once the latency is
 * gone the breaker closes again.
 */
export const slowDependencyScenario: Scenario = {
  name: "slow-ranking",
  description: "ranking behind a proxy adding latency above the recommender's timeout",
  run: (ctx) =>
    underLoad(ctx, "slow-ranking", { exposures: "required" }, async (run) => {
      const { stack, settings } = ctx;
      const proxy = stack.rankingProxy;
      const admin = stack.adminUrl("recommender");
      await sleep(settings.steadyMs);
      const failuresBefore = await rankingFailures(admin);
      proxy.delayMs = settings.slowDelayMs;
      ctx.log(`slow-ranking: +${settings.slowDelayMs} ms in front of ranking for ${settings.outageMs} ms`);
      await sleep(settings.outageMs / 2);
      const probe = await probeThroughProxy(proxy.port);
      const healthWhileSlow = await checkHealth(stack.address("ranking")).catch(() => "UNREACHABLE");
      await sleep(settings.outageMs / 2);
      const timeouts = (await rankingFailures(admin)) - failuresBefore;
      proxy.delayMs = 0;
      const fastAt = Date.now();
      const recovered = await answeredAfter(run, fastAt, (d) => d.length === 0, settings.recoverTimeoutMs);
      const healthyAt = Date.now();
      await sleep(settings.steadyMs);

      const flagged = run.load.recommends.filter((r) => r.code === status.OK && r.degraded.includes(DegradedComponent.DEGRADED_COMPONENT_RANKING)).length;
      return {
        checks: [
          keepsAnswering(run, settings, "Recommend keeps answering within its deadline"),
          check("ranking itself stayed SERVING", healthWhileSlow === "SERVING", healthWhileSlow),
          check("a call through the slow path ends DEADLINE_EXCEEDED", probe === "DEADLINE_EXCEEDED", probe),
          check("the recommender counted ranking timeouts", timeouts > 0, `${timeouts} failed ranking calls`),
          check("answers degraded [RANKING] while slow", flagged > 0, `${flagged} degraded answers`),
          check("breaker ranking opened", run.breakers.opened("ranking"), run.breakers.describe("ranking")),
          check("breaker ranking closed again", run.breakers.last("ranking") === "closed", run.breakers.describe("ranking")),
          check("non-degraded answers once fast again", recovered, ""),
        ],
        facts: {
          breaker: `ranking: ${run.breakers.describe("ranking")}`,
          "ranking timeouts counted": String(timeouts),
          "fast to non-degraded answer": `${healthyAt - fastAt} ms`,
        },
      };
    }),
};
