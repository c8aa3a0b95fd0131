// Recommend at a constant arrival rate (open model): k6 starts RATE calls per second whether or not
// earlier ones have answered, so a slow server shows up as latency, not as a lower request rate.
import { check } from "k6";
import { StatusOK } from "k6/net/grpc";
import { Counter, Rate } from "k6/metrics";
import { commonOptions, connect, env, newRecommenderClient, numberEnv, randomUserId } from "./recmesh-grpc.js";

const RATE = numberEnv("RATE", 300);
const PRE_ALLOCATED_VUS = numberEnv("PRE_ALLOCATED_VUS", 50);
const P99_MS = numberEnv("P99_MS", 25);
const MAX_ERROR_RATE = numberEnv("MAX_ERROR_RATE", 0);
const MAX_DEGRADED_RATE = numberEnv("MAX_DEGRADED_RATE", 0.01);
const SURFACE = env("SURFACE", "home");
const COUNT = numberEnv("COUNT", 20);

export const options = {
  ...commonOptions,
  scenarios: {
    recommend: {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: env("DURATION", "1m"),
      preAllocatedVUs: PRE_ALLOCATED_VUS,
      maxVUs: numberEnv("MAX_VUS", PRE_ALLOCATED_VUS * 4),
    },
  },
  thresholds: {
    "grpc_req_duration{rpc:Recommend}": [`p(99)<${P99_MS}`],
    "checks{rpc:Recommend}": [`rate>=${1 - MAX_ERROR_RATE}`],
    recommend_degraded_rate: [`rate<=${MAX_DEGRADED_RATE}`],
    // An open-model run is only valid if k6 really started RATE calls per second.
    dropped_iterations: ["count==0"],
  },
};

const client = newRecommenderClient();
const degradedResponses = new Counter("recommend_degraded");
const degradedRate = new Rate("recommend_degraded_rate");
let connected = false;

export default function () {
  if (!connected) {
    connect(client);
    connected = true;
  }
  const res = client.invoke(
    "recmesh.recommender.v1.RecommenderService/Recommend",
    { userId: randomUserId(), count: COUNT, surface: SURFACE },
    { tags: { rpc: "Recommend" } },
  );
  check(
    res,
    {
      "Recommend status is OK": (r) => r.status === StatusOK,
      "Recommend returned items": (r) => r.status === StatusOK && r.message.items.length > 0,
    },
    { rpc: "Recommend" },
  );
  if (res.status !== StatusOK) return;
  const degraded = res.message.degraded.length > 0;
  // Counting 0 for healthy answers keeps the metric in the summary even when nothing degraded.
  degradedResponses.add(degraded ? 1 : 0);
  degradedRate.add(degraded);
}
