import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { ExposureEvent } from "../../../gen/recmesh/events/v1/exposure_event.js";
import { InteractionEvent } from "../../../gen/recmesh/events/v1/interaction_event.js";
import { FeatureServiceClient, GetFeaturesRequest } from "../../../gen/recmesh/feature/v1/feature_service.js";
import { waitForConsumers } from "../../../services/kit/events/consumer-lag.js";
import { EVENTS_STREAM, SUBJECTS } from "../../../services/kit/events/subjects.js";
import { createClient } from "../../../services/kit/grpc/client-factory.js";
import { unaryCall } from "../../../services/kit/grpc/unary-call.js";
import type { RecommendRecord, TrackRecord } from "./call-log.js";
import { readSubject } from "./stream-reader.js";

export interface EventAudit {
  /** Track returned OK. */
  tracked: number;
  /** Acknowledged events present in EVENTS. */
  found: number;
  /** Acknowledged but absent: must be zero. */
  lost: number;
  /** In EVENTS though no attempt was acknowledged (a timed-out attempt that was stored): allowed, at least once. */
  storedUnacked: number;
  /** Event ids stored more than once: must be zero. */
  duplicates: number;
  /** Test items whose feature counters differ from the events stored for them: must be empty. */
  counterMismatches: string[];
}

interface StoredInteraction {
  itemId: string;
  click: boolean;
}

/** The test's interactions stored in EVENTS after `afterSeq`, by event id (duplicates counted). */
async function storedInteractions(nc: NatsConnection, afterSeq: number, items: ReadonlySet<string>) {
  const stored = new Map<string, StoredInteraction>();
  let duplicates = 0;
  await readSubject(nc, SUBJECTS.allInteractions, afterSeq, (m) => {
    const event = InteractionEvent.decode(m.data);
    const i = event.interaction;
    if (!i || !items.has(i.itemId)) return;
    if (stored.has(event.eventId)) duplicates++;
    stored.set(event.eventId, { itemId: i.itemId, click: i.type === InteractionType.INTERACTION_TYPE_CLICK });
  });
  return { stored, duplicates };
}

/** item → [total_views, total_clicks] as the feature service reads them. */
export async function itemCounters(featureAddress: string, items: readonly string[]): Promise<Map<string, [number, number]>> {
  const client = createClient(FeatureServiceClient, featureAddress, { maxMessageBytes: 4 * 1024 * 1024 });
  try {
    const request = GetFeaturesRequest.fromPartial({ entityIds: [...items], features: ["item_stats:total_views", "item_stats:total_clicks"] });
    const res = await unaryCall(client.getFeatures.bind(client), request, { deadline: Date.now() + 10_000 });
    const counters = new Map<string, [number, number]>();
    for (const e of res.entities) {
      const value = (name: string) => {
        const kind = e.values.find((v) => v.name === name)?.value?.kind;
        return kind?.$case === "intValue" ? Number(kind.value) : Number.NaN;
      };
      counters.set(e.entityId, [value("item_stats:total_views"), value("item_stats:total_clicks")]);
    }
    return counters;
  } finally {
    client.close();
  }
}

/**
 * Were acknowledged interactions kept and applied exactly once? Waits for the
 * consumers to catch up, reads the scenario's slice of EVENTS, and compares the
 * feature counters of the items only this scenario touched with the events stored for them.
 */
export async function auditEvents(
  nc: NatsConnection,
  featureAddress: string,
  tracks: readonly TrackRecord[],
  afterSeq: number,
  items: readonly string[],
  timeoutMs: number,
): Promise<EventAudit> {
  await waitForConsumers(await jetstreamManager(nc), EVENTS_STREAM, { timeoutMs });
  const { stored, duplicates } = await storedInteractions(nc, afterSeq, new Set(items));
  const acked = tracks.filter((t) => t.acked);
  const ackedIds = new Set(acked.map((t) => t.eventId));
  const expected = new Map<string, [number, number]>(items.map((i) => [i, [0, 0]]));
  for (const s of stored.values()) {
    const e = expected.get(s.itemId);
    if (e) e[s.click ? 1 : 0]++;
  }
  const counters = await itemCounters(featureAddress, items);
  const counterMismatches = items.filter((i) => {
    const [ev, ec] = expected.get(i) ?? [0, 0];
    const [v, c] = counters.get(i) ?? [Number.NaN, Number.NaN];
    return ev !== v || ec !== c;
  });
  const found = acked.filter((t) => stored.has(t.eventId)).length;
  return {
    tracked: acked.length,
    found,
    lost: acked.length - found,
    storedUnacked: [...stored.keys()].filter((id) => !ackedIds.has(id)).length,
    duplicates,
    counterMismatches: counterMismatches.map((i) => `${i}: stored ${String(expected.get(i))}, features ${String(counters.get(i))}`),
  };
}

export interface ExposureAudit {
  /** Answered Recommend calls with items: each must have an exposure event. */
  expected: number;
  found: number;
}

/** Polls EVENTS until every answered request's exposure is there, or `timeoutMs` passed. */
export async function auditExposures(nc: NatsConnection, recommends: readonly RecommendRecord[], afterSeq: number, timeoutMs: number): Promise<ExposureAudit> {
  const wanted = new Set(recommends.filter((r) => r.code === 0 && r.items > 0).map((r) => r.requestId));
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  let from = afterSeq;
  for (;;) {
    await readSubject(nc, SUBJECTS.exposure, from, (m) => {
      from = m.seq;
      const requestId = ExposureEvent.decode(m.data).requestId;
      if (wanted.has(requestId)) seen.add(requestId);
    });
    if (seen.size === wanted.size || Date.now() > deadline) return { expected: wanted.size, found: seen.size };
    await sleep(500);
  }
}
