import { status } from "@grpc/grpc-js";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExperimentChangedEvent, ExperimentChangeType } from "../../gen/recmesh/events/v1/experiment_changed_event.js";
import { Experiment } from "../../gen/recmesh/experiment/v1/experiment.js";
import { EVENTS_STREAM, EXPERIMENT_BUCKET, SUBJECTS } from "../kit/events/subjects.js";
import { checkHealth } from "../kit/grpc/health-client.js";
import { ConditionOperator, experiment, ExperimentHarness, ExperimentStatus, type Instance, statusOf, until } from "./testing/experiment-harness.js";

let h: ExperimentHarness;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  h = await ExperimentHarness.start();
  a = await h.startInstance();
  b = await h.startInstance();
});

afterAll(async () => {
  await h?.stop();
});

const users = (n: number, prefix = "user") => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** user → variant for the users the experiment assigns. */
async function assignAll(instance: Instance, ids: string[], experimentName: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  (await instance.assignMany(ids, [experimentName])).forEach((r, i) => {
    const hit = r.assignments.find((x) => x.experiment === experimentName);
    if (hit) out.set(ids[i] as string, hit.variant);
  });
  return out;
}

describe("experiment service over real NATS and Redis", () => {
  it("serves health and stores, reads, lists and deletes definitions", async () => {
    expect(await checkHealth(`127.0.0.1:${a.service.grpcPort}`)).toBe("SERVING");
    const put = await a.put(experiment("crud-one", { description: "first", targeting: [{ attribute: "device", operator: ConditionOperator.CONDITION_OPERATOR_IN, values: ["ios"] }] }));
    expect(Number(put.revision)).toBeGreaterThan(0);
    const got = await a.get("crud-one");
    expect(got.revision).toBe(put.revision);
    expect(got.experiment).toEqual(put.experiment);
    expect(got.experiment?.targeting[0]?.values).toEqual(["ios"]);

    for (const name of ["crud-two", "crud-three"]) await a.put(experiment(name, { status: ExperimentStatus.EXPERIMENT_STATUS_DRAFT }));
    const first = await a.list(ExperimentStatus.EXPERIMENT_STATUS_DRAFT, 1);
    expect(first.experiments.map((e) => e.name)).toEqual(["crud-three"]);
    const second = await a.list(ExperimentStatus.EXPERIMENT_STATUS_DRAFT, 1, first.nextPageToken);
    expect(second.experiments.map((e) => e.name)).toEqual(["crud-two"]);
    expect(second.nextPageToken).toBe("");

    const deleted = await a.delete("crud-two");
    expect(Number(deleted.revision)).toBeGreaterThan(Number(put.revision));
    expect((await statusOf(a.get("crud-two"))).code).toBe(status.NOT_FOUND);
    await until(async () => (await statusOf(b.get("crud-two")).catch(() => ({ code: -1 }))).code === status.NOT_FOUND, 5_000, "delete on the other replica");
  });

  it("rejects bad definitions and requests with INVALID_ARGUMENT naming the field", async () => {
    const bad: [Partial<Experiment>, string][] = [
      [{ name: "Bad Name" }, "experiment.name"],
      [{ variants: [{ name: "control", weight: 0.5, params: {} }, { name: "treatment", weight: 0.4, params: {} }] }, "experiment.variants"],
      [{ variants: [{ name: "control", weight: 0.5, params: {} }, { name: "control", weight: 0.5, params: {} }] }, "experiment.variants[1].name"],
      [{ variants: [{ name: "control", weight: 1.5, params: {} }, { name: "treatment", weight: -0.5, params: {} }] }, "experiment.variants[0].weight"],
      [{ controlVariant: "missing" }, "experiment.control_variant"],
      [{ coverage: 1.2 }, "experiment.coverage"],
      [{ status: ExperimentStatus.EXPERIMENT_STATUS_UNSPECIFIED }, "experiment.status"],
      [{ startTime: new Date(2_000), endTime: new Date(1_000) }, "experiment.end_time"],
      [{ forcedVariants: { "qa-1": "nope" } }, 'experiment.forced_variants["qa-1"]'],
      [{ targeting: [{ attribute: "device", operator: ConditionOperator.CONDITION_OPERATOR_UNSPECIFIED, values: ["ios"] }] }, "experiment.targeting[0].operator"],
      [{ conversionEvent: "SIGNUP" }, "experiment.conversion_event"],
      [{ layerRange: { start: 0, end: 0.5 } }, "experiment.layer_range"],
      [{ layer: "home", layerRange: { start: 0.6, end: 0.5 } }, "experiment.layer_range.end"],
    ];
    for (const [overrides, field] of bad) {
      const s = await statusOf(a.put(experiment("bad-one", overrides)));
      expect(s.code, field).toBe(status.INVALID_ARGUMENT);
      expect(s.details.startsWith(`${field}:`), s.details).toBe(true);
    }
    expect((await statusOf(a.get("bad-one"))).code).toBe(status.NOT_FOUND);
    const noUser = await statusOf(a.assign(""));
    expect(noUser).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(noUser.details).toMatch(/^user_id:/);
    expect((await statusOf(a.list(ExperimentStatus.EXPERIMENT_STATUS_UNSPECIFIED, 5000))).code).toBe(status.INVALID_ARGUMENT);
    expect((await statusOf(a.get(""))).code).toBe(status.INVALID_ARGUMENT);
    expect((await statusOf(a.put(experiment("bad-two"), "18446744073709551615"))).code).toBe(status.INVALID_ARGUMENT);
  });

  it("answers NOT_FOUND for unknown experiments and FAILED_PRECONDITION for a stale revision", async () => {
    expect((await statusOf(a.get("nobody"))).code).toBe(status.NOT_FOUND);
    expect((await statusOf(a.delete("nobody"))).code).toBe(status.NOT_FOUND);
    expect((await statusOf(a.results("nobody"))).code).toBe(status.NOT_FOUND);
    const v1 = await a.put(experiment("occ"));
    const v2 = await a.put(experiment("occ", { description: "second" }), Number(v1.revision));
    const conflict = await statusOf(a.put(experiment("occ", { description: "lost update" }), Number(v1.revision)));
    expect(conflict.code).toBe(status.FAILED_PRECONDITION);
    expect((await a.get("occ")).experiment?.description).toBe("second");
    expect((await a.get("occ")).revision).toBe(v2.revision);
  });

  it("never lets an invalid definition replace the running one, from the API or written straight into KV", async () => {
    const good = await a.put(experiment("guarded"));
    expect((await statusOf(a.put(experiment("guarded", { coverage: -1 })))).code).toBe(status.INVALID_ARGUMENT);
    const kv = await new Kvm(h.nc).open(EXPERIMENT_BUCKET);
    const broken = Experiment.encode(experiment("guarded", { controlVariant: "ghost" })).finish();
    const brokenRevision = await kv.put("guarded", broken);
    await until(() => a.service.registry.revision >= brokenRevision, 5_000, "broken revision seen");
    const stored = await a.get("guarded");
    expect(stored.revision).toBe(good.revision);
    expect(stored.experiment?.controlVariant).toBe("control");
    expect((await a.assign("someone", {}, ["guarded"])).assignments).toHaveLength(1);
  });

  it("gives a user the same variant on every replica", async () => {
    await a.put(experiment("sticky", { variants: [{ name: "control", weight: 0.34, params: {} }, { name: "b", weight: 0.33, params: {} }, { name: "c", weight: 0.33, params: {} }] }));
    await until(() => b.service.registry.get("sticky") !== undefined, 5_000, "definition on b");
    const ids = users(600, "sticky");
    const fromA = await assignAll(a, ids, "sticky");
    const fromB = await assignAll(b, ids, "sticky");
    expect(fromA.size).toBe(600);
    expect(fromB).toEqual(fromA);
    expect(new Set(fromA.values())).toEqual(new Set(["control", "b", "c"]));
  });

  it("moves no assigned user when coverage is raised from 10% to 50%", async () => {
    const v1 = await a.put(experiment("ramp", { coverage: 0.1 }));
    const ids = users(2_000, "ramp");
    const before = await assignAll(a, ids, "ramp");
    const v2 = await a.put(experiment("ramp", { coverage: 0.5 }), Number(v1.revision));
    await until(() => b.service.registry.revision >= Number(v2.revision), 5_000, "ramp on b");
    const after = await assignAll(b, ids, "ramp");
    // Binomial bounds at ±4.5 standard deviations: 2000·0.1 ± 60 and 2000·0.5 ± 100.
    expect(before.size).toBeGreaterThan(140);
    expect(before.size).toBeLessThan(260);
    expect(after.size).toBeGreaterThan(900);
    expect(after.size).toBeLessThan(1_100);
    for (const [user, variant] of before) expect(after.get(user), user).toBe(variant);
  });

  it("never assigns one user to two experiments of the same layer", async () => {
    await a.put(experiment("layer-left", { layer: "ranking", layerRange: { start: 0, end: 0.5 } }));
    await a.put(experiment("layer-right", { layer: "ranking", layerRange: { start: 0.5, end: 1 } }));
    const overlap = await statusOf(a.put(experiment("layer-middle", { layer: "ranking", layerRange: { start: 0.4, end: 0.6 } })));
    expect(overlap.code).toBe(status.FAILED_PRECONDITION);
    expect(overlap.details).toMatch(/layer-left/);
    let left = 0;
    let right = 0;
    for (const r of await a.assignMany(users(2_000, "layered"))) {
      const inLayer = r.assignments.filter((x) => x.layer === "ranking");
      expect(inLayer.length).toBeLessThanOrEqual(1);
      if (inLayer[0]?.experiment === "layer-left") left++;
      if (inLayer[0]?.experiment === "layer-right") right++;
    }
    expect(left).toBeGreaterThan(800);
    expect(right).toBeGreaterThan(800);
    expect(left + right).toBe(2_000);
  });

  // How fast (a bound of one second in the issue) is measured in BENCHMARKS.md § Experiment service, not asserted here.
  it("applies a definition changed in KV on a running instance, without a restart, at the revision written", async () => {
    await a.put(experiment("live", { coverage: 0 }));
    await until(() => b.service.registry.get("live") !== undefined, 5_000, "live on b");
    expect((await b.assign("live-user", {}, ["live"])).assignments).toEqual([]);
    const kv = await new Kvm(h.nc).open(EXPERIMENT_BUCKET);
    const revision = await kv.put("live", Experiment.encode(experiment("live", { coverage: 1 })).finish());
    await b.service.registry.waitForRevision(revision, AbortSignal.timeout(5_000));
    expect(b.service.registry.get("live")?.revision).toBe(revision);
    expect((await b.assign("live-user", {}, ["live"])).assignments).toHaveLength(1);
  });

  it("streams current definitions, a snapshot marker, then every change", async () => {
    const watcher = b.watch(true);
    await until(() => watcher.received.some((m) => m.snapshotComplete), 5_000, "snapshot");
    const marker = watcher.received.findIndex((m) => m.snapshotComplete);
    expect(watcher.received.slice(0, marker).map((m) => m.experiment?.name)).toContain("sticky");
    expect(watcher.received[marker]?.experiment).toBeUndefined();
    const put = await a.put(experiment("watched"));
    const removed = await a.delete("watched");
    await until(() => watcher.received.filter((m) => m.experiment?.name === "watched").length === 2, 5_000, "changes");
    const changes = watcher.received.filter((m) => m.experiment?.name === "watched");
    expect(changes.map((m) => m.deleted)).toEqual([false, true]);
    expect(changes[0]?.revision).toBe(put.revision);
    watcher.cancel();
    expect((await watcher.ended)?.code).toBe(status.CANCELLED);

    const audit = await (await jetstreamManager(h.nc)).streams.getMessage(EVENTS_STREAM, { last_by_subj: SUBJECTS.experimentChanged });
    expect(audit?.header.get("Nats-Msg-Id")).toBe(`experiment-changed:watched:${removed.revision}`);
    const event = ExperimentChangedEvent.decode(audit?.data ?? new Uint8Array());
    expect(event).toMatchObject({ changeType: ExperimentChangeType.EXPERIMENT_CHANGE_TYPE_DELETE, revision: removed.revision });
    expect(event.experiment?.name).toBe("watched");
  });

  it("honours targeting, forced variants and the start/end window", async () => {
    await a.put(
      experiment("targeted", {
        coverage: 0.0001,
        targeting: [
          { attribute: "device", operator: ConditionOperator.CONDITION_OPERATOR_IN, values: ["ios", "android"] },
          { attribute: "country", operator: ConditionOperator.CONDITION_OPERATOR_NOT_IN, values: ["DE"] },
        ],
        forcedVariants: { "qa-user": "treatment" },
      }),
    );
    const qa = await a.assign("qa-user", { device: "web" }, ["targeted"]);
    expect(qa.assignments).toEqual([expect.objectContaining({ experiment: "targeted", variant: "treatment", forced: true })]);
    await a.put(experiment("targeted-wide", { targeting: [{ attribute: "country", operator: ConditionOperator.CONDITION_OPERATOR_NOT_IN, values: ["DE"] }] }));
    expect((await a.assign("u1", { country: "DE" }, ["targeted-wide"])).assignments).toEqual([]);
    expect((await a.assign("u1", {}, ["targeted-wide"])).assignments).toHaveLength(1);
    expect((await a.assign("u1", { country: "FR" }, ["targeted-wide"])).assignments[0]?.forced).toBe(false);

    let now = Date.parse("2030-01-01T00:00:00Z");
    const clocked = await h.startInstance({}, () => now);
    await a.put(experiment("windowed", { startTime: new Date("2030-01-02T00:00:00Z"), endTime: new Date("2030-01-03T00:00:00Z") }));
    await until(() => clocked.service.registry.get("windowed") !== undefined, 5_000, "windowed loaded");
    expect((await clocked.assign("u1", {}, ["windowed"])).assignments).toEqual([]);
    now = Date.parse("2030-01-02T12:00:00Z");
    expect((await clocked.assign("u1", {}, ["windowed"])).assignments).toHaveLength(1);
    now = Date.parse("2030-01-03T00:00:00Z");
    expect((await clocked.assign("u1", {}, ["windowed"])).assignments).toEqual([]);
  });

  it("loads every current definition on a replica started later", async () => {
    for (let round = 0; round < 3; round++) {
      for (const name of ["late-c", "late-a", "late-b"]) await a.put(experiment(name, { description: `round ${round}` }));
    }
    const late = await h.startInstance();
    const names = (r: Awaited<ReturnType<Instance["list"]>>) => r.experiments.map((e) => `${e.name}:${e.description}`);
    expect(names(await late.list(ExperimentStatus.EXPERIMENT_STATUS_UNSPECIFIED, 1000))).toEqual(names(await a.list(ExperimentStatus.EXPERIMENT_STATUS_UNSPECIFIED, 1000)));
    expect(late.service.registry.revision).toBe(a.service.registry.revision);
  });
});
