import { describe, expect, it } from "vitest";
import { UnavailableError } from "../../kit/errors/errors.js";
import type { Recommendation } from "../pipeline/recommend-pipeline.js";
import type { Interaction } from "../tracking/interaction.js";
import { AsyncChannel } from "./async-channel.js";
import { liveSession, type SessionInput, type SessionOutput } from "./live-session.js";

const rec = (ids: string[]): Recommendation => ({
  requestId: "r",
  userId: "u1",
  surface: "home",
  items: ids.map((itemId) => ({ itemId, score: 1, retrievalScore: 1, sources: [], category: "" })),
  assignments: [],
  degraded: [],
  stages: [],
  sources: [],
  featuresUsed: [],
  ranked: [],
});

const click = (itemId: string, userId = "u1"): Interaction => ({
  eventId: `e-${itemId}`,
  userId,
  itemId,
  kind: "click",
  occurredAt: new Date(),
  requestId: "",
  surface: "home",
  value: 0,
  attributes: {},
});

describe("liveSession", () => {
  it("answers start, stores interactions, refreshes by itself after them and never repeats shown or clicked items", async () => {
    const excludes: string[][] = [];
    let page = 0;
    const inputs = new AsyncChannel<SessionInput>();
    const outputs: SessionOutput[] = [];
    const session = liveSession(inputs, {
      recommend: async (_s, exclude) => {
        excludes.push(exclude);
        page++;
        return rec([`p${page}a`, `p${page}b`]);
      },
      track: async (i) => {
        if (i.itemId === "broken") throw new UnavailableError("nats down");
        return { eventId: i.eventId, sequence: 7, duplicate: false };
      },
      refreshDelayMs: 20,
    });
    const reading = (async () => {
      let lists = 0;
      for await (const o of session) {
        outputs.push(o);
        if (o.kind !== "recommendations") continue;
        lists++;
        if (lists === 1) inputs.push({ kind: "interaction", interaction: click("p1a") });
        if (lists === 2) {
          inputs.push({ kind: "interaction", interaction: click("x", "someone-else") });
          inputs.push({ kind: "interaction", interaction: click("broken") });
          inputs.push({ kind: "refresh", exclude: ["on-screen"] });
        }
        if (lists === 3) inputs.close();
      }
    })();
    inputs.push({ kind: "start", start: { userId: "u1", count: 2, surface: "home", context: {} } });
    await reading;
    expect(outputs.map((o) => o.kind)).toEqual(["recommendations", "tracked", "recommendations", "error", "error", "recommendations"]);
    expect(excludes[0]).toEqual([]);
    expect(new Set(excludes[1])).toEqual(new Set(["p1a", "p1b"]));
    expect(new Set(excludes[2])).toEqual(new Set(["p1a", "p1b", "p2a", "p2b", "on-screen"]));
  });

  it("answers anything before start with an error and goes on", async () => {
    const inputs = new AsyncChannel<SessionInput>();
    const outputs: SessionOutput[] = [];
    const session = liveSession(inputs, { recommend: async () => rec(["a"]), track: async () => ({ eventId: "e", sequence: 1, duplicate: false }), refreshDelayMs: 10 });
    inputs.push({ kind: "refresh", exclude: [] });
    inputs.push({ kind: "start", start: { userId: "u1", count: 1, surface: "home", context: {} } });
    inputs.close();
    for await (const o of session) outputs.push(o);
    expect(outputs.map((o) => o.kind)).toEqual(["error", "recommendations"]);
  });
});
