import { describe, expect, it } from "vitest";
import { ROW_PRESENT, type FeatureRows } from "./feature-rows.js";
import { RecentInputs } from "./recent-inputs.js";

const rows = (value: number): FeatureRows => ({ view: "v", viewVersion: 1, width: 2, rows: 1, values: new Float32Array([value, value]), statuses: new Uint8Array([ROW_PRESENT]) });
const call = (value: number) => ({ user: new Map([["u", rows(value)]]), items: new Map([["v", rows(value)]]), count: 1 });
const values = (ring: RecentInputs) => ring.all().map((r) => r.items.get("v")?.values[0]);

describe("RecentInputs", () => {
  it("keeps copies: a block reused after the call does not change what was recorded", () => {
    const ring = new RecentInputs(2);
    const first = call(1);
    ring.record(first);
    first.items.get("v")?.values.fill(9);
    first.user.get("u")?.statuses.fill(0);
    expect(values(ring)).toEqual([1]);
    expect(ring.all()[0]?.user.get("u")?.statuses[0]).toBe(ROW_PRESENT);
  });

  it("fills up at once, then keeps at most one call per interval, replacing the oldest", () => {
    let now = 0;
    const ring = new RecentInputs(2, 100, () => now);
    ring.record(call(1));
    ring.record(call(2));
    ring.record(call(3));
    expect(values(ring)).toEqual([1, 2]);
    now = 150;
    ring.record(call(4));
    now = 200;
    ring.record(call(5));
    expect(values(ring)).toEqual([4, 2]);
  });
});
