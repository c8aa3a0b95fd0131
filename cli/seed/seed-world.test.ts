import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { ItemUpsertedEvent } from "../../gen/recmesh/events/v1/item_upserted_event.js";
import { SUBJECTS } from "../../services/kit/events/subjects.js";
import type { Infrastructure } from "../../services/kit/infra/infrastructure.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";
import { loadWorld, resolveWorldOptions } from "../../world/index.js";
import { readEvents, subjectCounts } from "../testing/stream-contents.js";
import { seedIfEmpty } from "./seed-if-empty.js";
import { seedWorld, worldDir } from "./seed-world.js";

const streams = { replicas: 1, eventRetentionDays: 1 };
const world = resolveWorldOptions({ preset: "small", seed: 9, items: 400, users: 80, endTime: Date.UTC(2025, 5, 1, 12) });

describe("seeding the world into a real JetStream", () => {
  let infra: Infrastructure & { dataDir: string };
  let nc: NatsConnection;
  const dataDir = mkdtempSync(join(tmpdir(), "recmesh-seed-"));

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    nc = await connect({ servers: infra.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    await infra?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("seeds an empty store once, saying so, and then leaves it alone", async () => {
    const said: string[] = [];
    const settings = { nats: infra.natsUrl, streams, world, dir: worldDir(dataDir, world.seed), window: 64 };
    const report = await seedIfEmpty(settings, (line) => said.push(line));
    expect(report?.items).toEqual({ stored: 400, duplicates: 0 });
    expect(said[0]).toMatch(/^world: the store is empty; seeding the synthetic world \(seed 9: 400 items, 80 users, 14 days of history\)/);
    expect(said.some((l) => /published items: 400 stored; interactions: \d+ stored/.test(l))).toBe(true);

    const again: string[] = [];
    expect(await seedIfEmpty(settings, (line) => again.push(line))).toBeUndefined();
    expect(again).toEqual(["world: the EVENTS stream already holds 400 item events; not seeding"]);
  });

  it("published every item and every training interaction by type, with their ids, and no held-out interaction", async () => {
    const truth = loadWorld(worldDir(dataDir, world.seed));
    const byType = truth.manifest.counts.interactionsByType;
    expect(await subjectCounts(nc)).toEqual({
      [SUBJECTS.itemUpserted]: 400,
      "recmesh.events.interaction.view": byType.view,
      "recmesh.events.interaction.click": byType.click,
      "recmesh.events.interaction.add_to_cart": byType.add_to_cart,
      "recmesh.events.interaction.purchase": byType.purchase,
    });

    const events = await readEvents(nc);
    const interactions = events.filter((e) => e.subject.startsWith("recmesh.events.interaction."));
    expect(interactions.map((e) => e.msgId)).toEqual(truth.interactions.map((i) => i.eventId));
    const heldout = new Set(truth.heldout.map((i) => i.eventId));
    expect(interactions.some((e) => heldout.has(e.msgId))).toBe(false);

    const first = InteractionEvent.decode(interactions[0]?.data ?? new Uint8Array());
    const expected = truth.interactions[0];
    expect(first.eventId).toBe(expected?.eventId);
    expect(first.interaction).toMatchObject({ userId: expected?.userId, itemId: expected?.itemId, occurredAt: new Date(expected?.occurredAt ?? 0) });
    expect(first.interaction?.type).toBe(InteractionType.INTERACTION_TYPE_VIEW);

    const item = events.find((e) => e.subject === SUBJECTS.itemUpserted);
    expect(item?.msgId).toBe(`world-9-item-${truth.items[0]?.id}`);
    const decoded = ItemUpsertedEvent.decode(item?.data ?? new Uint8Array()).item;
    expect(decoded?.category).toBe(truth.items[0]?.category);
    expect(decoded?.embedding).toHaveLength(32);
    expect(decoded?.attributes).toMatchObject({ brand: truth.items[0]?.brand, price_band: truth.items[0]?.priceBand });
  });

  it("stores no duplicates when the same world is seeded again", async () => {
    const before = await subjectCounts(nc);
    const report = await seedWorld({ nats: infra.natsUrl, streams, world, dir: worldDir(dataDir, world.seed) });
    expect(report.items).toEqual({ stored: 0, duplicates: 400 });
    expect(report.interactions).toEqual({ stored: 0, duplicates: report.manifest.counts.interactions });
    expect(await subjectCounts(nc)).toEqual(before);
  });
});
