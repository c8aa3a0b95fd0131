import { once } from "node:events";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { InteractionType, type Interaction } from "../../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { TrackRequest, type RecommenderServiceClient, type TrackStreamResponse } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { EVENTS_STREAM } from "../../../services/kit/events/subjects.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { closedLoop } from "../load-generator.js";
import { phaseResult, type PhaseResult } from "../phase-result.js";
import { measureCpu, type CpuShares } from "../process-cpu.js";
import { cycle } from "../rank-workload.js";
import { callDeadline } from "../suite-clients.js";
import type { SuiteSettings } from "../suite-settings.js";

/** The floor's own stream: EVENTS' settings, a subject no projection reads. */
const FLOOR_STREAM = "BENCH_FLOOR";
const FLOOR_SUBJECT = "bench.floor.interaction.view";
/** Publishes in flight at once on the raw windowed floor: TrackStream's default (RECMESH_RECOMMENDER_TRACK_STREAM_CONCURRENCY). */
const STREAM_WINDOW = 1024;

export interface ThroughputFigure {
  /** Interactions stored per second (acknowledged by JetStream). */
  perSecond: number;
  stored: number;
  errors: number;
  elapsedMs: number;
  errorSamples: string[];
}

export interface TrackResults {
  unary: PhaseResult;
  unaryFloor: PhaseResult;
  stream: ThroughputFigure;
  streamFloor: ThroughputFigure;
  concurrency: number;
  batch: number;
  /** Cores each process used while Track was measured (the projections apply what it stores meanwhile). */
  unaryCpu: CpuShares;
  streamCpu: CpuShares;
}

function interactions(users: string[], items: string[], prefix: string) {
  return (n: number): Interaction => ({
    eventId: `${prefix}-${n}`,
    userId: cycle(users, n),
    itemId: cycle(items, n * 7),
    type: InteractionType.INTERACTION_TYPE_VIEW,
    occurredAt: new Date(),
    requestId: "",
    surface: "home",
    value: 0,
    attributes: {},
  });
}

/** TrackStream: batches written as fast as the stream takes them for `durationMs`, then the one answer once all are stored. */
async function trackStream(client: RecommenderServiceClient, make: (n: number) => Interaction, batch: number, durationMs: number): Promise<ThroughputFigure> {
  const started = performance.now();
  let sent = 0;
  const answer = new Promise<TrackStreamResponse>((resolve, reject) => {
    const stream = client.trackStream({ deadline: Date.now() + durationMs + 60_000 }, (err, res) => (err ? reject(err) : resolve(res)));
    void (async () => {
      while (performance.now() - started < durationMs) {
        const interactionsOfBatch = Array.from({ length: batch }, (_, i) => make(sent + i));
        sent += batch;
        if (!stream.write({ interactions: interactionsOfBatch })) await once(stream, "drain");
      }
      stream.end();
    })().catch(reject);
  });
  const res = await answer;
  const elapsedMs = performance.now() - started;
  const stored = Number(res.accepted);
  return { perSecond: (stored / elapsedMs) * 1000, stored, errors: sent - stored, elapsedMs, errorSamples: res.errors.slice(0, 5).map((e) => e.error?.message ?? "") };
}

/** Raw JetStream publishes with `window` in flight for `durationMs`: each counted once the stream acknowledged it. */
async function windowedPublish(publish: (n: number) => Promise<unknown>, window: number, durationMs: number): Promise<ThroughputFigure> {
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let stored = 0;
  let errors = 0;
  const errorSamples = new Set<string>();
  for (let n = 0; performance.now() - started < durationMs; n++) {
    const p: Promise<void> = publish(n).then(
      () => void stored++,
      (err: unknown) => {
        errors++;
        if (errorSamples.size < 5) errorSamples.add(err instanceof Error ? err.message : String(err));
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - started;
  return { perSecond: (stored / elapsedMs) * 1000, stored, errors, elapsedMs, errorSamples: [...errorSamples] };
}

/**
 * Track throughput, unary (64 callers) and over one client stream, each
 * interaction acknowledged only once JetStream stored it; the floors publish
 * the same InteractionEvent straight to JetStream (same concurrency, same
 * window) into a stream with EVENTS' settings that nothing consumes.
 */
export async function trackPhase(
  client: RecommenderServiceClient,
  natsUrl: string,
  pids: () => Record<string, number | undefined>,
  users: string[],
  items: string[],
  settings: SuiteSettings,
  runId: string,
): Promise<TrackResults> {
  const nc = await connect({ servers: natsUrl, name: "recmesh-bench-floor" });
  const jsm = await jetstreamManager(nc);
  const events = (await jsm.streams.info(EVENTS_STREAM)).config;
  await jsm.streams.add({
    name: FLOOR_STREAM,
    subjects: [FLOOR_SUBJECT],
    storage: events.storage,
    retention: events.retention,
    num_replicas: events.num_replicas,
    duplicate_window: events.duplicate_window,
    max_age: events.max_age,
    discard: events.discard,
  });
  try {
    const js = jetstream(nc);
    const rawPublish = (make: (n: number) => Interaction) => (n: number) => {
      const interaction = make(n);
      const event = InteractionEvent.create({ eventId: interaction.eventId, receivedAt: new Date(), interaction });
      return js.publish(FLOOR_SUBJECT, InteractionEvent.encode(event).finish(), { msgID: interaction.eventId, timeout: 5_000 });
    };
    const loop = { concurrency: settings.trackConcurrency, durationMs: settings.trackMs };
    // Floors first: what Track stores is then applied by three projections, whose catch-up would slow a floor measured after it.
    const unaryFloor = phaseResult(await closedLoop(rawPublish(interactions(users, items, `bench-raw-${runId}`)), loop));
    const streamFloor = await windowedPublish(rawPublish(interactions(users, items, `bench-raw-stream-${runId}`)), STREAM_WINDOW, settings.trackMs);
    const unaryMake = interactions(users, items, `bench-track-${runId}`);
    const withLoadGenerator = () => ({ ...pids(), "load generator": process.pid });
    let cpu = measureCpu(withLoadGenerator());
    const unary = phaseResult(
      await closedLoop((n) => unaryCall(client.track.bind(client), TrackRequest.fromPartial({ interaction: unaryMake(n) }), { deadline: callDeadline() }), loop),
    );
    const unaryCpu = cpu.stop();
    cpu = measureCpu(withLoadGenerator());
    const stream = await trackStream(client, interactions(users, items, `bench-stream-${runId}`), settings.trackStreamBatch, settings.trackMs);
    const streamCpu = cpu.stop();
    return { unary, unaryFloor, stream, streamFloor, concurrency: settings.trackConcurrency, batch: settings.trackStreamBatch, unaryCpu, streamCpu };
  } finally {
    await jsm.streams.delete(FLOOR_STREAM).catch(() => undefined);
    await nc.close();
  }
}
