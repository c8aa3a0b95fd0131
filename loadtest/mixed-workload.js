// Recommend and Track mixed as a product sees them: each VU asks for a list, then reports
// TRACK_PER_RECOMMEND views or clicks of items from that list, attributed to its request id.
// One open-model scenario: every iteration is one call, started at RATE calls per second in total.
import { check } from "k6";
import { StatusOK } from "k6/net/grpc";
import { commonOptions, connect, env, newRecommenderClient, numberEnv, pick, randomUserId } from "./recmesh-grpc.js";

const RATE = numberEnv("RATE", 400);
const TRACK_PER_RECOMMEND = numberEnv("TRACK_PER_RECOMMEND", 3);
const CLICK_SHARE = numberEnv("CLICK_SHARE", 0.25);
const PRE_ALLOCATED_VUS = numberEnv("PRE_ALLOCATED_VUS", 50);
const MAX_ERROR_RATE = numberEnv("MAX_ERROR_RATE", 0);
const SURFACE = env("SURFACE", "home");
const COUNT = numberEnv("COUNT", 20);

export const options = {
  ...commonOptions,
  scenarios: {
    mixed: {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: env("DURATION", "1m"),
      preAllocatedVUs: PRE_ALLOCATED_VUS,
      maxVUs: numberEnv("MAX_VUS", PRE_ALLOCATED_VUS * 4),
    },
  },
  thresholds: {
    "grpc_req_duration{rpc:Recommend}": [`p(99)<${numberEnv("P99_MS", 25)}`],
    "grpc_req_duration{rpc:Track}": [`p(99)<${numberEnv("TRACK_P99_MS", 25)}`],
    "checks{rpc:Recommend}": [`rate>=${1 - MAX_ERROR_RATE}`],
    "checks{rpc:Track}": [`rate>=${1 - MAX_ERROR_RATE}`],
    dropped_iterations: ["count==0"],
  },
};

const client = newRecommenderClient();
let connected = false;
// Per VU: the list this VU was last shown, and where it is in its recommend, track × N cycle.
let shown;
let step = 0;

export default function () {
  if (!connected) {
    connect(client);
    connected = true;
  }
  const trackTurn = step % (1 + TRACK_PER_RECOMMEND) !== 0;
  step++;
  if (trackTurn && shown !== undefined) track(shown);
  else shown = recommend();
}

function recommend() {
  const userId = randomUserId();
  const res = client.invoke(
    "recmesh.recommender.v1.RecommenderService/Recommend",
    { userId, count: COUNT, surface: SURFACE },
    { tags: { rpc: "Recommend" } },
  );
  const ok = check(
    res,
    {
      "Recommend status is OK": (r) => r.status === StatusOK,
      "Recommend returned items": (r) => r.status === StatusOK && r.message.items.length > 0,
    },
    { rpc: "Recommend" },
  );
  if (!ok) return undefined;
  return { userId, requestId: res.message.requestId, itemIds: res.message.items.map((i) => i.itemId) };
}

function track(list) {
  const res = client.invoke(
    "recmesh.recommender.v1.RecommenderService/Track",
    {
      interaction: {
        userId: list.userId,
        itemId: pick(list.itemIds),
        type: Math.random() < CLICK_SHARE ? "INTERACTION_TYPE_CLICK" : "INTERACTION_TYPE_VIEW",
        requestId: list.requestId,
        surface: SURFACE,
        // With occurred_at set the server derives the event id from the content, so a retry is stored once.
        occurredAt: new Date().toISOString(),
      },
    },
    { tags: { rpc: "Track" } },
  );
  check(
    res,
    {
      "Track status is OK": (r) => r.status === StatusOK,
      "Track stored the event": (r) => r.status === StatusOK && r.message.eventId !== "",
    },
    { rpc: "Track" },
  );
}
