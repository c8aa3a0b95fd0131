import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { experiment, ExperimentHarness, type Instance, statusOf, until } from "./testing/experiment-harness.js";

let h: ExperimentHarness;
let instance: Instance;

beforeAll(async () => {
  h = await ExperimentHarness.start();
  instance = await h.startInstance({ RECMESH_EXPERIMENT_KV_CHECK_MS: "100", RECMESH_EXPERIMENT_STALE_AFTER_MS: "500" });
});

afterAll(async () => {
  await h?.stop();
});

describe("KV outage", () => {
  it("keeps serving the last known definitions flagged stale, and recovers when NATS is back", async () => {
    const nats = h.infra.nats;
    if (!nats) throw new Error("the test infrastructure must own nats-server");
    await instance.put(experiment("resilient"));
    const before = await instance.assign("steady-user");
    expect(before.stale).toBe(false);
    expect(before.assignments).toHaveLength(1);

    await nats.process.kill();
    await until(async () => (await instance.assign("steady-user")).stale, 5_000, "stale flag");
    const during = await instance.assign("steady-user");
    expect(during.assignments).toEqual(before.assignments);
    expect(during.revision).toBe(before.revision);
    expect((await statusOf(instance.put(experiment("while-down")))).code).toBe(status.UNAVAILABLE);

    await nats.restart();
    await until(async () => !(await instance.assign("steady-user")).stale, 15_000, "fresh again");
    await instance.put(experiment("resilient", { coverage: 0 }));
    expect((await instance.assign("steady-user")).assignments).toEqual([]);
  });
});
