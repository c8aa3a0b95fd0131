import { describe, expect, it } from "vitest";
import type { CpuProfile } from "../cpu-profile.js";
import { flameGraphSvg, flameLayout } from "./flame-graph.js";

const REPO = "/repo";
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url }, children });

/**
 * (root) → main → { handle → { decode, "" (anonymous) }, log }, plus idle and
 * GC; one sample every 100 µs from t = 0, the last two outside the window.
 */
function profile(): CpuProfile {
  const samples = [
    ...Array<number>(30).fill(4), // decode, in handle
    ...Array<number>(10).fill(5), // anonymous, in handle
    ...Array<number>(5).fill(3), // handle's own time
    ...Array<number>(4).fill(6), // log
    ...Array<number>(40).fill(7), // idle
    ...Array<number>(10).fill(8), // garbage collector
    4,
    4,
  ];
  return {
    nodes: [
      frame(1, "(root)", "", [2, 7, 8]),
      frame(2, "main", `file://${REPO}/services/recommender/main.ts`, [3, 6]),
      frame(3, "handle", `file://${REPO}/services/recommender/handlers.ts`, [4, 5]),
      frame(4, "decode", `file://${REPO}/node_modules/@bufbuild/protobuf/dist/wire.js`),
      frame(5, "", "node:internal/streams"),
      frame(6, "log", `file://${REPO}/node_modules/pino/lib/tools.js`),
      frame(7, "(idle)", ""),
      frame(8, "(garbage collector)", ""),
    ],
    startTime: 0,
    samples,
    timeDeltas: samples.map(() => 100),
  };
}

const WINDOW = { fromUs: 0, toUs: 99 * 100 };

describe("flame graph", () => {
  it("gives each frame the busy time in it and below it, heaviest child first, without idle time or samples outside the window", () => {
    const layout = flameLayout(profile(), REPO, WINDOW);
    expect(layout.busyUs).toBe((30 + 10 + 5 + 4 + 10) * 100);
    const byName = new Map(layout.frames.map((f) => [f.name, f]));
    expect(byName.get("main")).toMatchObject({ depth: 0, startUs: 0, us: 4900, owner: "services/recommender", where: "services/recommender/main.ts" });
    expect(byName.get("(garbage collector)")).toMatchObject({ depth: 0, startUs: 4900, us: 1000 });
    expect(byName.get("handle")).toMatchObject({ depth: 1, startUs: 0, us: 4500 });
    expect(byName.get("log")).toMatchObject({ depth: 1, startUs: 4500, us: 400, owner: "pino" });
    expect(byName.get("decode")).toMatchObject({ depth: 2, startUs: 0, us: 3000, owner: "@bufbuild/protobuf" });
    expect(byName.get("(anonymous)")).toMatchObject({ depth: 2, startUs: 3000, us: 1000, owner: "node internals" });
    expect(byName.has("(idle)")).toBe(false);
  });

  it("leaves out frames narrower than the minimum share, keeping their time in the caller", () => {
    const layout = flameLayout(profile(), REPO, WINDOW, 0.18);
    expect(layout.frames.map((f) => f.name)).toEqual(["main", "handle", "decode"]);
    expect(layout.frames.find((f) => f.name === "handle")?.us).toBe(4500);
  });

  it("draws one titled rectangle per frame, escaping names", () => {
    const layout = flameLayout(profile(), REPO, WINDOW);
    const svg = flameGraphSvg(layout, "recommender <one caller>");
    expect(svg.match(/<rect /g)?.length).toBe(layout.frames.length + 1);
    expect(svg).toContain("recommender &lt;one caller&gt;");
    expect(svg).toContain("<title>decode (@bufbuild/protobuf/wire.js): 3.0 ms, 50.8 %</title>");
  });
});
