import { status, type ServiceError } from "@grpc/grpc-js";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { RecommenderServiceClient, TrackRequest } from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { ANALYZER_DURABLE } from "../../services/experiment/adapters/exposure-analyzer.js";
import { AGGREGATOR_DURABLE } from "../../services/feature/adapters/feature-aggregator.js";
import { SERVICE_NAMES, type ServiceName } from "../../services/kit/config/ports.js";
import { waitForConsumers } from "../../services/kit/events/consumer-lag.js";
import { EVENTS_STREAM } from "../../services/kit/events/subjects.js";
import { createClient } from "../../services/kit/grpc/client-factory.js";
import { checkHealth } from "../../services/kit/grpc/health-client.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { codeName } from "./harness/call-log.js";
import { ChildStack } from "./harness/child-stack.js";
import { mebibytes, residentBytes } from "./harness/rss-sampler.js";
import { withNats } from "./harness/stream-reader.js";
import { uncleanReason } from "./hostile/clean-status.js";
import { contractMethods, type ContractMethod } from "./hostile/contracts.js";
import { encodeValid, fieldMutations, hugeList } from "./hostile/field-mutations.js";
import { hostilePayloads, isOversized, type HostilePayload } from "./hostile/hostile-payloads.js";
import { deadLetters, publishPoison } from "./hostile/poison-events.js";
import { RawClient } from "./hostile/raw-client.js";
import { validRequest } from "./hostile/valid-requests.js";
import { CANDIDATE_INSTANCE, STACK_ENV } from "./scenarios/suite-settings.js";

/** Small, so oversized messages are cheap to send, yet above NATS's 1 MiB max_payload (an event too big to store must be refused). */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
/** Size the "huge list" payloads grow to (TrackStream's interactions are all stored: keep it moderate). */
const HUGE_LIST_BYTES = 256 * 1024;
const CALL_DEADLINE_MS = 10_000;
/** nats-server's default max_payload. */
const NATS_MAX_PAYLOAD = 1024 * 1024;
/** Streams that stay open by design until the client goes away. */
const LONG_LIVED = new Set(["/recmesh.experiment.v1.ExperimentService/WatchExperiments"]);
const LONG_LIVED_DEADLINE_MS = 2_000;
const FLOOD_STREAMS = 200;
/** Growth of a service's RSS over the whole battery that still counts as bounded. */
const RSS_BOUND_BYTES = 256 * 1024 * 1024;

const stack = new ChildStack({ env: { ...STACK_ENV, RECMESH_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) } });
const baseline = new Map<ServiceName, number>();
let client: Record<ServiceName, RawClient>;

/** Structural garbage, then the well-formed request with one hostile field at a time, then with a huge list. */
function battery(m: ContractMethod): HostilePayload[] {
  const valid = () => validRequest(m.path.slice(1));
  return [...hostilePayloads(m.input, MAX_MESSAGE_BYTES), ...fieldMutations(m.input, valid), ...hugeList(m.input, valid, HUGE_LIST_BYTES)];
}

function rss(service: ServiceName): number {
  return residentBytes(stack.pid(service) ?? 0) ?? Number.NaN;
}

async function send(m: ContractMethod, bytes: Uint8Array) {
  const longLived = LONG_LIVED.has(m.path);
  return client[m.service].call(m.path, m.kind, [bytes], { deadlineMs: longLived ? LONG_LIVED_DEADLINE_MS : CALL_DEADLINE_MS });
}

beforeAll(async () => {
  await stack.start();
  client = Object.fromEntries(SERVICE_NAMES.map((s) => [s, new RawClient(stack.address(s))])) as Record<ServiceName, RawClient>;
  // One well-formed call per method first, so the baseline includes a warmed-up process.
  for (const s of SERVICE_NAMES) for (const m of contractMethods(s)) await send(m, encodeValid(m.input, validRequest(m.path.slice(1))));
  for (const s of SERVICE_NAMES) baseline.set(s, rss(s));
});

afterAll(async () => {
  for (const c of Object.values(client ?? {})) c.close();
  await stack.stop();
});

describe.each(SERVICE_NAMES)("hostile input to %s", (service) => {
  it("answers every malformed, oversized, nested, invalid-UTF-8 and absurd request with a clean status", async () => {
    const problems: string[] = [];
    for (const m of contractMethods(service)) {
      for (const p of battery(m)) {
        const outcome = await send(m, p.bytes);
        const reason = uncleanReason(outcome, { exactly: isOversized(p) ? status.RESOURCE_EXHAUSTED : undefined, longLived: LONG_LIVED.has(m.path) });
        if (reason) problems.push(`${m.path} ← ${p.name}: ${reason}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await checkHealth(stack.address(service))).toBe("SERVING");
  });

  it(`survives a flood of ${FLOOD_STREAMS} concurrent streams per streaming method, half of them abandoned`, async () => {
    const problems: string[] = [];
    for (const m of contractMethods(service).filter((x) => x.kind !== "unary")) {
      const longLived = LONG_LIVED.has(m.path);
      const body = encodeValid(m.input, validRequest(m.path.slice(1)));
      const outcomes = await Promise.all(
        Array.from({ length: FLOOD_STREAMS }, (_, i) => {
          const abandon = i % 2 === 0;
          return client[service]
            .call(m.path, m.kind, [body], {
              deadlineMs: longLived ? LONG_LIVED_DEADLINE_MS : CALL_DEADLINE_MS,
              cancelAfterMs: abandon ? 100 : undefined,
              keepOpen: abandon,
            })
            .then((o) => uncleanReason(o, { cancelled: abandon, longLived }));
        }),
      );
      const bad = outcomes.filter((r) => r !== undefined);
      if (bad.length > 0) problems.push(`${m.path}: ${bad.length} streams ended badly, e.g. ${bad[0]}`);
    }
    expect(problems).toEqual([]);
    expect(await checkHealth(stack.address(service))).toBe("SERVING");
  });
});

describe("an interaction larger than the event store takes", () => {
  it("is refused with INVALID_ARGUMENT (a retry could never store it), not UNAVAILABLE or INTERNAL", async () => {
    const recommender = createClient(RecommenderServiceClient, stack.address("recommender"), { maxMessageBytes: MAX_MESSAGE_BYTES });
    try {
      const request = TrackRequest.fromPartial({
        interaction: { userId: "user-big", itemId: "item-big", type: InteractionType.INTERACTION_TYPE_VIEW, attributes: { blob: "x".repeat(NATS_MAX_PAYLOAD + 65_536) } },
      });
      const code = await unaryCall(recommender.track.bind(recommender), request, { deadline: Date.now() + CALL_DEADLINE_MS }).then(
        () => status.OK,
        (err: ServiceError) => err.code,
      );
      expect(codeName(code)).toBe("INVALID_ARGUMENT");
    } finally {
      recommender.close();
    }
  });
});

describe("after the hostile battery", () => {
  it("no service crashed, every one is SERVING and its memory stayed bounded", async () => {
    expect(stack.crashes).toEqual([]);
    for (const s of SERVICE_NAMES) {
      expect(stack.isRunning(s), s).toBe(true);
      expect(await checkHealth(stack.address(s)), s).toBe("SERVING");
      const before = baseline.get(s) ?? 0;
      const after = rss(s);
      expect(after - before, `${s} RSS ${mebibytes(before)} → ${mebibytes(after)}`).toBeLessThan(RSS_BOUND_BYTES);
    }
  });
});

describe("poisoned events on JetStream", () => {
  const durables = [AGGREGATOR_DURABLE, `candidate-indexer-${CANDIDATE_INSTANCE}`, ANALYZER_DURABLE];

  it("end in each durable consumer's dead-letter subject after one delivery, and the consumers move on", async () => {
    await withNats(stack.infra.natsUrl, async (nc) => {
      const poison = await publishPoison(nc, `${Date.now()}`);
      const jsm = await jetstreamManager(nc);
      await waitForConsumers(jsm, EVENTS_STREAM, { timeoutMs: 30_000, durables });
      for (const durable of durables) {
        const letters = (await deadLetters(nc, durable)).filter((l) => l.originalSequence === poison.undecodable || l.originalSequence === poison.invalid);
        expect(letters.map((l) => l.originalSequence).sort(), durable).toEqual([poison.undecodable, poison.invalid].sort());
        expect(letters.map((l) => l.deliveries), durable).toEqual([1, 1]);
        const info = await jsm.consumers.info(EVENTS_STREAM, durable);
        expect(info.ack_floor.stream_seq, durable).toBeGreaterThanOrEqual(poison.valid);
        expect(info.num_ack_pending + info.num_pending, durable).toBe(0);
      }
    });
  });
});
