import { status, type ServiceError } from "@grpc/grpc-js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceStatus, type GenerateResponse } from "../../gen/recmesh/candidate/v1/candidate_service.js";
import { InteractionType } from "../../gen/recmesh/common/v1/interaction.js";
import { testLogger } from "../kit/testing/test-logger.js";
import { loadCandidateConfig } from "./config.js";
import { startCandidateService } from "./main.js";
import { CandidateHarness, until } from "./testing/candidate-harness.js";
import { direction } from "./testing/index-fixtures.js";
import { FixedCandidateSource } from "./testing/test-sources.js";

const SLEEPY_BUDGET_MS = 150;
const report = (res: GenerateResponse, source: string) => res.sources.find((s) => s.source === source);
const ids = (res: GenerateResponse) => res.candidates.map((c) => c.itemId);

async function statusOf(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error("the call succeeded");
}

describe("candidate service over real NATS, Redis and feature service", () => {
  let h: CandidateHarness;

  beforeAll(async () => {
    h = await CandidateHarness.start({
      extraSources: () => [{ source: new FixedCandidateSource("sleepy", ["b1"], { delayMs: 30_000 }), budgetMs: SLEEPY_BUDGET_MS, quotaPercent: 30 }],
    });
    for (let i = 1; i < 16; i++) await h.publishItem(`b${i}`, i % 2 ? "books" : "games", direction(i));
    await h.publishItem("b0", "books", direction(0));
    for (const user of ["v1", "v2", "v3"]) {
      await h.publishInteraction(user, "b1", InteractionType.INTERACTION_TYPE_VIEW);
      await h.publishInteraction(user, "b2", InteractionType.INTERACTION_TYPE_PURCHASE);
    }
    await h.publishInteraction("v4", "b3", InteractionType.INTERACTION_TYPE_VIEW);
    await h.publishInteraction("fan", "b0", InteractionType.INTERACTION_TYPE_PURCHASE);
    await h.publishInteraction("fan", "b1", InteractionType.INTERACTION_TYPE_VIEW);
    await until(async () => {
      const res = await h.generate({ userId: "fan", k: 5, sources: ["embedding_ann"] });
      return report(res, "embedding_ann")?.status === SourceStatus.SOURCE_STATUS_OK ? true : undefined;
    }, "the fan's taste embedding", 15_000);
  });

  afterAll(async () => {
    await h?.stop();
  });

  // How fast (a bound of one second in the issue) is measured in BENCHMARKS.md § Candidate service, not asserted here.
  it("makes a new item retrievable by ANN after its event, without a restart", async () => {
    await h.publishItem("fresh", "books", direction(0, 1, 0.05));
    const res = await until(async () => {
      const r = await h.generate({ userId: "fan", k: 5, sources: ["embedding_ann"] });
      return ids(r).includes("fresh") ? r : undefined;
    }, "the new item in ANN results");
    expect(res.candidates[0]).toMatchObject({ itemId: "fresh", category: "books", sources: [expect.objectContaining({ source: "embedding_ann", rank: 0 })] });
    expect(ids(res)).not.toContain("b0");
  });

  it("merges the sources, dedupes, drops what the user has seen and reports the exclusions", async () => {
    const res = await h.generate({ userId: "fan", k: 20, sources: ["embedding_ann", "co_visitation", "popularity"], excludeItemIds: ["b3"] });
    expect(new Set(ids(res)).size).toBe(res.candidates.length);
    expect(ids(res)).not.toEqual(expect.arrayContaining(["b0"]));
    expect(ids(res)).not.toContain("b1");
    expect(ids(res)).not.toContain("b3");
    expect(res.excluded).toBeGreaterThanOrEqual(3);
    const b2 = res.candidates.find((c) => c.itemId === "b2");
    expect(b2?.sources.map((s) => s.source).sort()).toEqual(["co_visitation", "embedding_ann", "popularity"]);
    expect(res.unknownUser).toBe(false);
    const scores = res.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("cuts off a source that sleeps past its budget, reports it, and returns the others' results", async () => {
    const res = await h.generate({ userId: "fan", k: 10, sources: ["popularity", "sleepy"] });
    expect(report(res, "sleepy")).toMatchObject({
      status: SourceStatus.SOURCE_STATUS_TIMED_OUT,
      returned: 0,
      reason: `exceeded its ${SLEEPY_BUDGET_MS} ms budget`,
    });
    expect(report(res, "popularity")?.status).toBe(SourceStatus.SOURCE_STATUS_OK);
    expect(ids(res)[0]).toBe("b2");
  });

  it("streams each source's batch as it finishes, then the merged summary", async () => {
    const messages = await h.streamGenerate({ userId: "fan", k: 10, sources: ["sleepy", "popularity", "co_visitation"] });
    const kinds = messages.map((m) => m.result?.$case);
    expect(kinds).toEqual(["sourceBatch", "sourceBatch", "sourceBatch", "summary"]);
    const batches = messages.flatMap((m) => (m.result?.$case === "sourceBatch" ? [m.result.value] : []));
    expect(batches.map((b) => b.report?.source).at(-1)).toBe("sleepy");
    const popularity = batches.find((b) => b.report?.source === "popularity");
    expect(popularity?.candidates.map((c) => c.itemId)).toContain("b1");
    const summary = messages.at(-1)?.result;
    expect(summary?.$case === "summary" && summary.value.sources.map((s) => s.source)).toEqual(["sleepy", "popularity", "co_visitation"]);
  });

  it("answers an unknown user with popularity only, flagged", async () => {
    const res = await h.generate({ userId: "nobody-at-all", k: 5 });
    expect(res.unknownUser).toBe(true);
    expect(ids(res).slice(0, 2)).toEqual(["b2", "b0"]);
    expect(res.candidates.every((c) => c.sources.every((s) => s.source === "popularity"))).toBe(true);
    expect(report(res, "embedding_ann")).toMatchObject({ status: SourceStatus.SOURCE_STATUS_SKIPPED, reason: expect.stringMatching(/no taste embedding/) });
    expect(report(res, "co_visitation")).toMatchObject({ status: SourceStatus.SOURCE_STATUS_SKIPPED });
  });

  it("restricts to a category when asked", async () => {
    const res = await h.generate({ userId: "fan", k: 10, category: "games", sources: ["embedding_ann", "popularity"] });
    expect(res.candidates.length).toBeGreaterThan(0);
    expect(res.candidates.every((c) => c.category === "games")).toBe(true);
  });

  it("rejects k above the limit, naming it, and unknown sources, as INVALID_ARGUMENT", async () => {
    const tooMany = await statusOf(h.generate({ userId: "fan", k: 1001 }));
    expect(tooMany.code).toBe(status.INVALID_ARGUMENT);
    expect(tooMany.details).toContain("k: must be between 1 and 1000 (the configured limit)");
    const unknown = await statusOf(h.generate({ userId: "fan", k: 5, sources: ["popularity", "crystal_ball"] }));
    expect(unknown.code).toBe(status.INVALID_ARGUMENT);
    expect(unknown.details).toContain('sources[1]: unknown source "crystal_ball"');
    const streamed = await statusOf(h.streamGenerate({ userId: "fan", k: 0 }));
    expect(streamed.code).toBe(status.INVALID_ARGUMENT);
    expect(streamed.details).toContain("request.k");
  });

  it("dead-letters an event it cannot apply and keeps going", async () => {
    await h.publishItem("broken", "books", [1, 0, 0]);
    await h.publishItem("after-broken", "books", direction(0, 3, 0.05));
    await until(async () => {
      const r = await h.generate({ userId: "fan", k: 5, sources: ["embedding_ann"] });
      return ids(r).includes("after-broken") ? true : undefined;
    }, "the item after the poison event");
    const dlq = await h.jsm.streams.info("DLQ", { subjects_filter: "recmesh.dlq.candidate-indexer-test" });
    expect(dlq.state.subjects?.["recmesh.dlq.candidate-indexer-test"]).toBe(1);
  });

  it("rebuilds the same index by replaying the stream from the start", async () => {
    const rebuilt = await startCandidateService(
      loadCandidateConfig({
        NATS_URL: h.infra.natsUrl,
        RECMESH_CANDIDATE_PORT: "0",
        RECMESH_CANDIDATE_ADMIN_PORT: "0",
        RECMESH_CANDIDATE_SNAPSHOT_DIR: join(h.snapshotDir, "rebuild"),
        RECMESH_CANDIDATE_INSTANCE: "rebuild",
      }),
      { logger: testLogger() },
    );
    try {
      expect(rebuilt.index.lastSequence).toBe(h.candidate.index.lastSequence);
      expect(rebuilt.index.export()).toEqual(h.candidate.index.export());
    } finally {
      await rebuilt.stop();
    }
  });

  it("restarts from its snapshot without re-indexing the catalog, then follows the stream again", async () => {
    const before = h.candidate.index.lastSequence;
    await h.restartCandidate();
    expect(h.candidate.index.lastSequence).toBe(before);
    const metrics = await (await fetch(`http://127.0.0.1:${h.candidate.adminPort}/metrics`)).text();
    expect(metrics).not.toMatch(/recmesh_candidate_index_events_total\{[^}]*outcome="item"/);
    expect(metrics).toMatch(/recmesh_candidate_snapshot_sequence\{[^}]*\} [1-9]/);
    await h.publishItem("after-restart", "books", direction(0, 2, 0.05));
    await until(async () => {
      const r = await h.generate({ userId: "fan", k: 5, sources: ["embedding_ann"] });
      return ids(r).includes("after-restart") ? true : undefined;
    }, "an item published after the restart");
  });

  it("skips ANN with the reason when the feature service is down; the other sources answer", async () => {
    await h.stopFeature();
    const res = await h.generate({ userId: "fan", k: 10, sources: ["embedding_ann", "co_visitation", "popularity"] });
    expect(report(res, "embedding_ann")).toMatchObject({
      status: SourceStatus.SOURCE_STATUS_SKIPPED,
      reason: expect.stringMatching(/^feature service unavailable: /),
    });
    expect(report(res, "popularity")?.status).toBe(SourceStatus.SOURCE_STATUS_OK);
    expect(report(res, "co_visitation")?.status).toBe(SourceStatus.SOURCE_STATUS_OK);
    expect(res.candidates.length).toBeGreaterThan(0);
    expect(res.unknownUser).toBe(false);
  });
});
