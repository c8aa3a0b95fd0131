import { Writable } from "node:stream";
import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeatureServiceClient } from "../../gen/recmesh/feature/v1/feature_service.js";
import { createClient } from "../kit/grpc/client-factory.js";
import { startTestInfrastructure } from "../kit/testing/test-infrastructure.js";
import { loadFeatureConfig } from "./config.js";
import { startFeatureService } from "./main.js";

const ITEMS = Array.from({ length: 500 }, (_, i) => `i${i}`);
const CALLS = 300;

describe("StreamFeatures calls their callers abandon", () => {
  const logged: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) logged.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    }),
  );
  let infra: Awaited<ReturnType<typeof startTestInfrastructure>>;
  let service: Awaited<ReturnType<typeof startFeatureService>>;
  let client: FeatureServiceClient;

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    service = await startFeatureService(
      loadFeatureConfig({ NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, RECMESH_FEATURE_PORT: "0", RECMESH_FEATURE_ADMIN_PORT: "0" }),
      { logger },
    );
    client = createClient(FeatureServiceClient, `127.0.0.1:${service.grpcPort}`, { maxMessageBytes: 16 * 1024 * 1024 });
  });
  afterAll(async () => {
    client.close();
    await service.stop();
    await infra.stop();
  });

  /** Two 500-item lookups on one stream, half-closed at once, under a deadline of `ms`; resolves with the status code. */
  const lookup = (ms: number) =>
    new Promise<number>((resolve) => {
      const stream = client.streamFeatures(new Metadata(), { deadline: Date.now() + ms });
      stream.on("data", () => undefined);
      stream.on("error", (err: ServiceError) => resolve(err.code));
      stream.on("end", () => resolve(status.OK));
      stream.write({ lookupId: "content", view: "item_content", entityIds: ITEMS });
      stream.write({ lookupId: "stats", view: "item_stats", entityIds: ITEMS });
      stream.end();
    });

  it("are not logged as unexpected errors, whatever point of the answer the deadline cuts", async () => {
    const codes: number[] = [];
    // Deadlines of 1–5 ms end calls anywhere from before the requests are read to mid-answer.
    for (let k = 0; k < CALLS; k++) codes.push(await lookup(1 + (k % 5)));
    expect(codes.filter((c) => c === status.DEADLINE_EXCEEDED).length).toBeGreaterThan(0);
    expect(await lookup(10_000)).toBe(status.OK);
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
  });
});
