import { describe, expect, it } from "vitest";
import { UnavailableError } from "../../kit/errors/errors.js";
import { FixedCandidateSource } from "../testing/test-sources.js";
import { CandidateGenerator, type CandidateReadModel } from "./candidate-generator.js";
import type { GenerateEvent, GenerateQuery, UserProfile } from "./candidate-types.js";
import { validateQuery } from "./query-validation.js";
import { SourceRegistry, type SourceRegistration } from "./source-registry.js";

const known: UserProfile = { userId: "u1", recentItems: ["s1"], seen: new Set(["s1", "p1"]) };
const readModel = (profile: UserProfile): CandidateReadModel => ({ profile: () => profile, categoryOf: (id) => (id.startsWith("b") ? "books" : "misc") });
const register = (source: FixedCandidateSource, budgetMs = 1_000, quotaPercent = 100): SourceRegistration => ({ source, budgetMs, quotaPercent });
const observer = { sourceRun: () => undefined, filtered: () => undefined };

function generator(registrations: SourceRegistration[], profile: UserProfile = known) {
  const registry = new SourceRegistry(registrations);
  const g = new CandidateGenerator(registry, readModel(profile), { maxOverfetch: 100, rrfK: 60, weights: {} }, observer);
  const query = (overrides: Partial<Parameters<typeof validateQuery>[0]> = {}): GenerateQuery =>
    validateQuery(
      { userId: profile.userId, k: 5, attributes: {}, sources: [], excludeItemIds: [], sourceQuotas: {}, category: "", ...overrides },
      registry,
      { kLimit: 50, maxExcludeItems: 10 },
    );
  const call = () => ({ deadline: Date.now() + 10_000, signal: new AbortController().signal });
  return { g, query, call };
}

describe("CandidateGenerator", () => {
  it("cuts a source off at its budget and still answers with the others", async () => {
    const { g, query, call } = generator([
      register(new FixedCandidateSource("fast", ["a1", "a2"])),
      register(new FixedCandidateSource("slow", ["z1"], { delayMs: 5_000 }), 30),
    ]);
    const result = await g.generate(query(), call());
    expect(result.candidates.map((c) => c.itemId)).toEqual(["a1", "a2"]);
    const slow = result.sources.find((s) => s.source === "slow");
    expect(slow).toMatchObject({ status: "timed_out", returned: 0, reason: "exceeded its 30 ms budget" });
    expect(result.sources.find((s) => s.source === "fast")).toMatchObject({ status: "ok", returned: 2 });
  });

  it("yields each source's batch as it finishes, then the summary", async () => {
    const { g, query, call } = generator([
      register(new FixedCandidateSource("later", ["b1"], { delayMs: 60 })),
      register(new FixedCandidateSource("sooner", ["a1"])),
    ]);
    const events: GenerateEvent[] = [];
    for await (const e of g.events(query(), call())) events.push(e);
    expect(events.map((e) => (e.kind === "batch" ? e.report.source : "summary"))).toEqual(["sooner", "later", "summary"]);
    const later = events[1];
    expect(later?.kind === "batch" && later.candidates).toEqual([{ itemId: "b1", score: 1, sources: [{ source: "later", score: 1, rank: 0 }], category: "books" }]);
  });

  it("removes seen and excluded items, reporting how many, and over-fetches to make up for them", async () => {
    const { g, query, call } = generator([register(new FixedCandidateSource("pop", ["p1", "p2", "s1", "p3", "p4", "p5", "p6", "p7"]))]);
    const result = await g.generate(query({ k: 4, excludeItemIds: ["p3"] }), call());
    expect(result.candidates.map((c) => c.itemId)).toEqual(["p2", "p4", "p5", "p6"]);
    expect(result.excluded).toBe(3);
  });

  it("applies request quotas in percent of k over the configured ones", async () => {
    const { g, query, call } = generator([
      register(new FixedCandidateSource("ann", ["a1", "a2", "a3", "a4"]), 1_000, 100),
      register(new FixedCandidateSource("pop", ["x1", "x2", "x3", "x4"]), 1_000, 100),
    ]);
    const result = await g.generate(query({ k: 4, sourceQuotas: { ann: 25 } }), call());
    expect(result.candidates.map((c) => c.itemId).sort()).toEqual(["a1", "x1", "x2", "x3"]);
  });

  it("reports skipped and failed sources with their reasons; generic errors stay generic", async () => {
    const { g, query, call } = generator([
      register(new FixedCandidateSource("pop", ["p2"])),
      register(new FixedCandidateSource("ann", [], { skip: "feature service unavailable: down" })),
      register(new FixedCandidateSource("broken", [], { fail: new Error("secret detail") })),
    ]);
    const { sources } = await g.generate(query(), call());
    expect(sources).toEqual([
      expect.objectContaining({ source: "pop", status: "ok" }),
      expect.objectContaining({ source: "ann", status: "skipped", reason: "feature service unavailable: down" }),
      expect.objectContaining({ source: "broken", status: "failed", reason: "internal error" }),
    ]);
  });

  it("fails the call when a source that does not fail open fails", async () => {
    const { g, query, call } = generator([register(new FixedCandidateSource("pop", [], { fail: new Error("x"), failsOpen: false }))]);
    await expect(g.generate(query(), call())).rejects.toBeInstanceOf(UnavailableError);
  });

  it("flags an unknown user when no personalised source answered", async () => {
    const stranger: UserProfile = { userId: "new", recentItems: [], seen: new Set() };
    const sources = () => [
      register(new FixedCandidateSource("pop", ["p1"])),
      register(new FixedCandidateSource("ann", [], { skip: "no taste embedding", personalised: true })),
    ];
    const unknown = generator(sources(), stranger);
    expect((await unknown.g.generate(unknown.query(), unknown.call())).unknownUser).toBe(true);
    const knownUser = generator(sources());
    expect((await knownUser.g.generate(knownUser.query(), knownUser.call())).unknownUser).toBe(false);
    const withEmbedding = generator([register(new FixedCandidateSource("ann", ["a1"], { personalised: true }))], stranger);
    expect((await withEmbedding.g.generate(withEmbedding.query(), withEmbedding.call())).unknownUser).toBe(false);
  });

  it("rejects bad requests naming the field and the limit", () => {
    const { query } = generator([register(new FixedCandidateSource("pop", []))]);
    expect(() => query({ k: 51 })).toThrow("k: must be between 1 and 50 (the configured limit), got 51");
    expect(() => query({ k: 0 })).toThrow(/^k:/);
    expect(() => query({ sources: ["pop", "nope"] })).toThrow('sources[1]: unknown source "nope"; known sources: pop');
    expect(() => query({ sourceQuotas: { nope: 10 } })).toThrow(/source_quotas\["nope"\]: unknown source/);
    expect(() => query({ sourceQuotas: { pop: 101 } })).toThrow(/0\.\.100/);
    expect(() => query({ excludeItemIds: Array.from({ length: 11 }, (_, i) => `x${i}`) })).toThrow(/at most 10 ids/);
    expect(() => query({ userId: "" })).toThrow("user_id: required");
  });
});
