import { Registry, Counter } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminServer } from "./admin-server.js";

describe("AdminServer", () => {
  const registry = new Registry();
  new Counter({ name: "recmesh_test_total", help: "a test counter", registers: [registry] }).inc(3);
  let serving = false;
  const admin = new AdminServer(registry, () => serving);
  let base = "";

  beforeAll(async () => {
    base = `http://127.0.0.1:${await admin.listen(0, "127.0.0.1")}`;
  });
  afterAll(() => admin.close());

  it("serves Prometheus text on /metrics", async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain("recmesh_test_total 3");
  });

  it("answers /healthz with 503 until serving, then 200; /livez always 200", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    serving = true;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
