import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { status, type ServiceError } from "@grpc/grpc-js";
import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { RecommendRequest, RecommenderServiceClient, TrackRequest } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { createClient } from "../../../services/kit/grpc/client-factory.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import { isOverdue, summarize, type LoadSummary, type RecommendRecord, type TrackRecord } from "./call-log.js";

export interface LoadSettings {
  /** Recommend calls per second (open loop: sent on schedule whatever the answers). */
  recommendRps: number;
  /** New interactions tracked per second. */
  trackRps: number;
  deadlineMs: number;
  slackMs: number;
  /** Calls in flight at most; a call due beyond it is not started and counted (bounded client). */
  maxInFlight: number;
  /** World users Recommend asks for. */
  users: readonly string[];
  /** Entities only this load touches: their feature counters must equal what it tracked. */
  trackUsers: readonly string[];
  trackItems: readonly string[];
  /** How long after stop() an unacknowledged Track is still retried. */
  retryWindowMs: number;
}

const TICK_MS = 10;

/**
 * Steady Recommend + Track load against the front door, open loop, bounded in
 * rate, in flight and time. Every call is recorded. A failed Track is retried
 * with the same event id (as a well-behaved client does) until acknowledged or
 * the retry window closes, so "acknowledged" is exactly what the system promised to keep.
 */
export class SteadyLoad {
  readonly recommends: RecommendRecord[] = [];
  readonly tracks: TrackRecord[] = [];
  private readonly client: RecommenderServiceClient;
  private readonly pending = new Set<Promise<void>>();
  private inFlight = 0;
  private notStarted = 0;
  private running = false;
  private retryUntil = Infinity;
  private loop: Promise<void> | undefined;

  constructor(
    address: string,
    private readonly settings: LoadSettings,
  ) {
    this.client = createClient(RecommenderServiceClient, address, { maxMessageBytes: 4 * 1024 * 1024 });
  }

  start(): void {
    this.running = true;
    this.loop = this.schedule();
  }

  /** Stops sending; resolves once every call ended and every Track was acknowledged or gave up. */
  async stop(): Promise<LoadSummary> {
    this.running = false;
    this.retryUntil = Date.now() + this.settings.retryWindowMs;
    await this.loop;
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    return this.summary();
  }

  summary(): LoadSummary {
    return summarize(this.recommends, this.tracks, this.settings.slackMs, this.notStarted);
  }

  close(): void {
    this.client.close();
  }

  private async schedule(): Promise<void> {
    const started = Date.now();
    let recommends = 0;
    let tracks = 0;
    while (this.running) {
      const elapsed = (Date.now() - started) / 1000;
      for (; recommends < elapsed * this.settings.recommendRps; recommends++) this.launch(() => this.recommend(recommends));
      for (; tracks < elapsed * this.settings.trackRps; tracks++) this.launch(() => this.track(this.newTrack(tracks)));
      await sleep(TICK_MS);
    }
  }

  private launch(work: () => Promise<void>): void {
    if (this.inFlight >= this.settings.maxInFlight) {
      this.notStarted++;
      return;
    }
    const p = work().finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** One call attempt, counted in flight while it runs (not while a Track waits to retry). */
  private async attempt<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await call();
    } finally {
      this.inFlight--;
    }
  }

  private async recommend(n: number): Promise<void> {
    const users = this.settings.users;
    const userId = users[n % users.length] ?? "user-1";
    const startedAt = Date.now();
    const deadline = startedAt + this.settings.deadlineMs;
    const record: RecommendRecord = { startedAt, endedAt: 0, deadline, code: status.OK, degraded: [], requestId: "", items: 0 };
    try {
      const request = RecommendRequest.fromPartial({ userId, count: 10, surface: "home" });
      const res = await this.attempt(() => unaryCall(this.client.recommend.bind(this.client), request, { deadline }));
      record.degraded = res.degraded;
      record.requestId = res.requestId;
      record.items = res.items.length;
    } catch (err) {
      record.code = (err as ServiceError).code ?? status.UNKNOWN;
    }
    record.endedAt = Date.now();
    this.recommends.push(record);
  }

  private newTrack(n: number): TrackRecord {
    const { trackUsers, trackItems } = this.settings;
    const record: TrackRecord = {
      eventId: randomUUID(),
      userId: trackUsers[n % trackUsers.length] ?? "rel-user",
      itemId: trackItems[n % trackItems.length] ?? "rel-item",
      kind: n % 3 === 0 ? "click" : "view",
      firstAttemptAt: Date.now(),
      attempts: 0,
      acked: false,
      failures: [],
      overdue: 0,
    };
    this.tracks.push(record);
    return record;
  }

  private async track(t: TrackRecord): Promise<void> {
    const request = TrackRequest.fromPartial({
      interaction: {
        eventId: t.eventId,
        userId: t.userId,
        itemId: t.itemId,
        type: t.kind === "click" ? InteractionType.INTERACTION_TYPE_CLICK : InteractionType.INTERACTION_TYPE_VIEW,
        occurredAt: new Date(t.firstAttemptAt),
        surface: "home",
      },
    });
    for (;;) {
      t.attempts++;
      const deadline = Date.now() + this.settings.deadlineMs;
      try {
        await this.attempt(() => unaryCall(this.client.track.bind(this.client), request, { deadline }));
        t.acked = true;
      } catch (err) {
        t.failures.push((err as ServiceError).code ?? status.UNKNOWN);
      }
      if (isOverdue({ endedAt: Date.now(), deadline }, this.settings.slackMs)) t.overdue++;
      if (t.acked || Date.now() > this.retryUntil) return;
      await sleep(Math.min(250 * t.attempts, 2_000));
    }
  }
}
