import { describe, expect, it } from "vitest";
import { exposureMessageId, exposuresToLog } from "./exposure.js";

describe("exposure hygiene", () => {
  it("keeps only randomised assignments, in order", () => {
    const assignments = [
      { experiment: "a", forced: false },
      { experiment: "b", forced: true },
      { experiment: "c", forced: false },
    ];
    expect(exposuresToLog(assignments).map((a) => a.experiment)).toEqual(["a", "c"]);
    expect(exposuresToLog([{ experiment: "qa", forced: true }])).toEqual([]);
  });

  it("derives one message id per (request, experiment)", () => {
    expect(exposureMessageId("req-1", "ranker-test")).toBe("exposure:req-1:ranker-test");
    expect(exposureMessageId("req-1", "")).toBe("exposure:req-1:");
    expect(exposureMessageId("req-1", "a")).not.toBe(exposureMessageId("req-2", "a"));
  });
});
