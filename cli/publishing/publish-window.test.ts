import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { InteractionEvent } from "../../gen/recmesh/events/v1/interaction_event.js";
import { EventPublisher } from "../../services/kit/events/event-publisher.js";
import { EVENTS_STREAM, interactionSubject } from "../../services/kit/events/subjects.js";
import { declareStreams } from "../../services/kit/events/topology.js";
import type { Infrastructure } from "../../services/kit/infra/infrastructure.js";
import { startTestInfrastructure } from "../../services/kit/testing/test-infrastructure.js";
import { publishAll, type OutgoingEvent } from "./publish-all.js";
import { PublishWindow } from "./publish-window.js";

const view = (n: number): OutgoingEvent<InteractionEvent> => ({
  subject: interactionSubject(InteractionType.INTERACTION_TYPE_VIEW),
  message: InteractionEvent.fromPartial({ eventId: `w-${n}`, interaction: { userId: "u", itemId: `i${n}`, type: InteractionType.INTERACTION_TYPE_VIEW } }),
  msgId: `w-${n}`,
});

describe("PublishWindow over a real JetStream", () => {
  let infra: Infrastructure & { dataDir: string };
  let nc: NatsConnection;
  let publisher: EventPublisher;

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    nc = await connect({ servers: infra.natsUrl });
    await declareStreams(await jetstreamManager(nc), { replicas: 1, eventRetentionDays: 1 });
    publisher = new EventPublisher(jetstream(nc));
  });

  afterAll(async () => {
    await nc?.close();
    await infra?.stop();
  });

  it("keeps at most `limit` publishes pending, acks every one, and counts duplicates", async () => {
    const window = new PublishWindow(publisher, EVENTS_STREAM, { limit: 8 });
    let peak = 0;
    for (let n = 0; n < 200; n++) {
      if (!window.hasRoom) await window.waitForRoom();
      window.send(view(n).subject, InteractionEvent, view(n).message, view(n).msgId);
      peak = Math.max(peak, window.pending);
    }
    expect(peak).toBe(8);
    expect(await window.flush()).toEqual({ stored: 200, duplicates: 0 });
    expect(window.pending).toBe(0);
    let acked = 0;
    const again = await publishAll(publisher, EVENTS_STREAM, InteractionEvent, Array.from({ length: 250 }, (_, n) => view(n)), {
      window: 16,
      bar: { increment: () => acked++ },
    });
    expect(again).toEqual({ stored: 50, duplicates: 200 });
    expect(acked).toBe(250);
  });

  it("fails the run, naming the message, when a publish fails all its attempts", async () => {
    const window = new PublishWindow(publisher, EVENTS_STREAM, { limit: 4, attempts: 2 });
    window.send("outside.every.stream", InteractionEvent, view(1).message, "lost-1");
    await expect(window.flush()).rejects.toThrow(/^publishing lost-1 to outside\.every\.stream failed after 2 attempts/);
    expect(() => window.send(view(2).subject, InteractionEvent, view(2).message, view(2).msgId)).toThrow(/lost-1/);
  });
});
