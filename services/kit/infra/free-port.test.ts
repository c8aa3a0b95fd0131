import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, startRetryingTakenPorts } from "./free-port.js";

describe("freePort", () => {
  it("hands out ports that accept a listener on 127.0.0.1, never the same one twice", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(ports[0], "127.0.0.1", resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it("repicks ports and starts again only when the start failed on a taken port, three tries in all", async () => {
    const taken = () => new Error("listen EADDRINUSE: address already in use 127.0.0.1:4000");
    let repicks = 0;
    const repick = async () => {
      repicks++;
    };
    let starts = 0;
    await startRetryingTakenPorts(async () => {
      if (++starts === 1) throw taken();
    }, repick);
    expect([starts, repicks]).toEqual([2, 1]);

    await expect(startRetryingTakenPorts(async () => Promise.reject(new Error("bad config")), repick)).rejects.toThrow("bad config");
    expect(repicks).toBe(1);

    starts = 0;
    await expect(startRetryingTakenPorts(async () => Promise.reject((starts++, taken())), repick)).rejects.toThrow("EADDRINUSE");
    expect([starts, repicks]).toEqual([3, 3]);
  });
});
