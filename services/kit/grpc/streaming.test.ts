import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FeatureServiceClient,
  FeatureServiceService,
  StreamFeaturesResponse,
  type StreamFeaturesRequest,
} from "../../../gen/recmesh/feature/v1/feature_service.js";
import {
  RecommenderServiceClient,
  RecommenderServiceService,
  TrackStreamResponse,
  type TrackStreamRequest,
} from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { startKitServer } from "../testing/kit-server.js";
import { testLogger } from "../testing/test-logger.js";
import { RpcAdapter } from "./handlers.js";
import type { ServiceServer } from "./service-server.js";

describe("RpcAdapter streaming calls over a real connection", () => {
  let server: ServiceServer;
  let address: string;

  beforeAll(async () => {
    const rpc = new RpcAdapter("Test", testLogger(), 5_000);
    ({ server, address } = await startKitServer([
      {
        definition: FeatureServiceService,
        implementation: {
          streamFeatures: rpc.bidi("StreamFeatures", async function* (requests: AsyncIterable<StreamFeaturesRequest>) {
            for await (const r of requests) yield StreamFeaturesResponse.fromPartial({ lookupId: `${r.lookupId}:${r.entityIds.length}` });
          }),
        },
      },
      {
        definition: RecommenderServiceService,
        implementation: {
          trackStream: rpc.clientStream("TrackStream", async (requests: AsyncIterable<TrackStreamRequest>) => {
            let n = 0;
            for await (const r of requests) n += r.interactions.length;
            return TrackStreamResponse.fromPartial({ accepted: String(n) });
          }),
        },
      },
    ]));
  });
  afterAll(() => server.drain());

  it("bidi: answers every message, then ends the call with OK once the client half-closes", async () => {
    const client = new FeatureServiceClient(address, credentials.createInsecure());
    const answers: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.streamFeatures(new Metadata(), { deadline: Date.now() + 5_000 });
      stream.on("data", (r: StreamFeaturesResponse) => answers.push(r.lookupId));
      stream.on("error", reject);
      stream.on("end", resolve);
      for (let i = 0; i < 3; i++) stream.write({ lookupId: `l${i}`, view: "v", entityIds: ["a", "b"] });
      stream.end();
    });
    expect(answers).toEqual(["l0:2", "l1:2", "l2:2"]);
    client.close();
  });

  it("client stream: reads every message and answers once", async () => {
    const client = new RecommenderServiceClient(address, credentials.createInsecure());
    const res = await new Promise<TrackStreamResponse>((resolve, reject) => {
      const stream = client.trackStream((err, r) => (err ? reject(err) : resolve(r)));
      for (let i = 0; i < 4; i++) stream.write({ interactions: [] });
      stream.end();
    });
    expect(res.accepted).toBe("0");
    client.close();
  });
});
