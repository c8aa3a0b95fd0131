import { RecommendRequest, RecommenderServiceClient } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { createClient } from "../../../services/kit/grpc/client-factory.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";

export interface RampStep {
  concurrency: number;
  /** Answers (not shed, not failed) per second. */
  answeredPerSecond: number;
  failed: number;
}

/**
 * Finds the front door's saturation quickly: for each concurrency level,
 * that many workers call Recommend back to back for `stepMs`; saturation is
 * the best answered rate seen.
 */
export async function closedLoopRamp(
  address: string,
  users: readonly string[],
  levels: readonly number[],
  stepMs: number,
  deadlineMs: number,
): Promise<{ steps: RampStep[]; saturationRps: number }> {
  const client = createClient(RecommenderServiceClient, address, { maxMessageBytes: 4 * 1024 * 1024 });
  const steps: RampStep[] = [];
  let n = 0;
  try {
    for (const concurrency of levels) {
      const until = Date.now() + stepMs;
      let answered = 0;
      let failed = 0;
      const started = Date.now();
      const worker = async () => {
        while (Date.now() < until) {
          const request = RecommendRequest.fromPartial({ userId: users[n++ % users.length] ?? "user-1", count: 10, surface: "home" });
          try {
            await unaryCall(client.recommend.bind(client), request, { deadline: Date.now() + deadlineMs });
            answered++;
          } catch {
            failed++;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      steps.push({ concurrency, answeredPerSecond: answered / ((Date.now() - started) / 1000), failed });
    }
  } finally {
    client.close();
  }
  return { steps, saturationRps: Math.max(...steps.map((s) => s.answeredPerSecond)) };
}
