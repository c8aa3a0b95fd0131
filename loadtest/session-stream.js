// Live sessions over the Session bidi stream: start → list; then ROUNDS times: think, report
// INTERACTIONS_PER_ROUND views/clicks of the list, wait for their acknowledgements, send a refresh
// and time how long the fresh list takes. New sessions start at RATE per second (open model).
import { check } from "k6";
import { Stream } from "k6/net/grpc";
import { Rate, Trend } from "k6/metrics";
import { setTimeout } from "k6/timers";
import { commonOptions, connect, env, newRecommenderClient, numberEnv, randomUserId } from "./recmesh-grpc.js";

const ROUNDS = numberEnv("ROUNDS", 3);
const INTERACTIONS_PER_ROUND = numberEnv("INTERACTIONS_PER_ROUND", 2);
const THINK_MS = numberEnv("THINK_MS", 500);
const PRE_ALLOCATED_VUS = numberEnv("PRE_ALLOCATED_VUS", 50);
const MAX_ERROR_RATE = numberEnv("MAX_ERROR_RATE", 0);
const SURFACE = env("SURFACE", "home");
const COUNT = numberEnv("COUNT", 20);

export const options = {
  ...commonOptions,
  scenarios: {
    sessions: {
      executor: "constant-arrival-rate",
      rate: numberEnv("RATE", 10),
      timeUnit: "1s",
      duration: env("DURATION", "1m"),
      preAllocatedVUs: PRE_ALLOCATED_VUS,
      maxVUs: numberEnv("MAX_VUS", PRE_ALLOCATED_VUS * 4),
    },
  },
  thresholds: {
    session_refresh_latency: [`p(99)<${numberEnv("P99_MS", 25)}`],
    session_stream_errors: [`rate<=${MAX_ERROR_RATE}`],
    session_message_errors: [`rate<=${MAX_ERROR_RATE}`],
    "checks{rpc:Session}": [`rate>=${1 - MAX_ERROR_RATE}`],
    dropped_iterations: ["count==0"],
  },
};

const client = newRecommenderClient();
/** Time from writing a refresh to receiving the list it asked for. */
const refreshLatency = new Trend("session_refresh_latency", true);
/** Time from writing start to receiving the first list. */
const startLatency = new Trend("session_start_latency", true);
/** Per session: did it fail (gRPC error, timeout, or its start or a refresh answered with an error)? */
const streamErrors = new Rate("session_stream_errors");
/** Per answer on the stream: was it an ItemError instead of a list or an acknowledgement? */
const messageErrors = new Rate("session_message_errors");
let connected = false;

export default function () {
  if (!connected) {
    connect(client);
    connected = true;
  }
  const userId = randomUserId();
  const stream = new Stream(client, "recmesh.recommender.v1.RecommenderService/Session", {
    tags: { rpc: "Session" },
    timeout: env("SESSION_TIMEOUT", "30s"),
  });
  // "start" → "think" → "acks" (waiting for INTERACTIONS_PER_ROUND answers) → "refresh" → "think" …
  let phase = "start";
  let sentAt = 0;
  let pending = 0;
  let refreshes = 0;
  let failed = false;
  let list;

  const interact = () => {
    // The stream may have failed while this VU was thinking; writing to it then would block.
    if (phase !== "think") return;
    phase = "acks";
    pending = INTERACTIONS_PER_ROUND;
    for (let i = 0; i < INTERACTIONS_PER_ROUND; i++) {
      stream.write({
        interaction: {
          userId,
          itemId: list.itemIds[i % list.itemIds.length],
          type: i === INTERACTIONS_PER_ROUND - 1 ? "INTERACTION_TYPE_CLICK" : "INTERACTION_TYPE_VIEW",
          requestId: list.requestId,
          surface: SURFACE,
          occurredAt: new Date().toISOString(),
        },
      });
    }
  };

  const onList = (recommendations) => {
    // A list in any other phase is the server's own refresh after interactions, not a timed answer.
    if (phase !== "start" && phase !== "refresh") return;
    if (phase === "start") startLatency.add(Date.now() - sentAt);
    else {
      refreshLatency.add(Date.now() - sentAt);
      refreshes++;
    }
    const ok = check(recommendations, { "Session list has items": (r) => r.items.length > 0 }, { rpc: "Session" });
    if (!ok || refreshes >= ROUNDS) {
      stream.end();
      return;
    }
    list = { requestId: recommendations.requestId, itemIds: recommendations.items.map((i) => i.itemId) };
    phase = "think";
    setTimeout(interact, THINK_MS);
  };

  // Every interaction is answered once, with `tracked` or `error`; the refresh goes out after the last answer.
  const onAnswer = () => {
    pending--;
    if (pending > 0) return;
    phase = "refresh";
    sentAt = Date.now();
    stream.write({ refresh: { excludeItemIds: list.itemIds } });
  };

  stream.on("data", (message) => {
    messageErrors.add(Boolean(message.error));
    if (message.recommendations) onList(message.recommendations);
    else if (phase === "acks") onAnswer();
    else if (message.error) {
      // The start or a refresh failed: the session cannot go on as planned.
      failed = true;
      stream.end();
    }
  });
  stream.on("error", () => {
    failed = true;
    phase = "closed";
  });
  stream.on("end", () => {
    phase = "closed";
    streamErrors.add(failed);
    check(refreshes, { "Session answered every refresh with a list": (n) => n === ROUNDS }, { rpc: "Session" });
  });

  sentAt = Date.now();
  stream.write({ start: { userId, count: COUNT, surface: SURFACE, context: { attributes: { device: "k6" } } } });
}
