import { readFileSync } from "node:fs";
import { credentials, status, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecommendRequest, RecommenderServiceClient } from "../../gen/recmesh/recommender/v1/recommender_service.js";
import { FeatureServiceClient, GetFeaturesRequest } from "../../gen/recmesh/feature/v1/feature_service.js";
import { unaryCall } from "../../services/kit/grpc/unary-call.js";
import { createTestCertificates, type TestCertificates } from "../../services/kit/testing/test-certificates.js";
import { readWorldInteractions } from "../../world/index.js";
import { TestStack } from "./stack-harness.js";

/** Every service serves and calls the others over mutual TLS, as a deployment without a mesh runs. */
describe("the whole stack over mutual TLS", () => {
  const certs: TestCertificates = createTestCertificates();
  const mtls = {
    RECMESH_TLS_CERT: certs.server.cert,
    RECMESH_TLS_KEY: certs.server.key,
    RECMESH_TLS_CA: certs.ca,
    RECMESH_TLS_CLIENT_AUTH: "require",
  };
  const stack = new TestStack(undefined, { experiment: mtls, feature: mtls, candidate: mtls, ranking: mtls, recommender: mtls });
  const clients: { close(): void }[] = [];

  beforeAll(async () => {
    await stack.start();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await stack.stop();
    certs.remove();
  });

  const read = (path: string) => readFileSync(path);
  const withClientCertificate = (identity: { cert: string; key: string }) => credentials.createSsl(read(certs.ca), read(identity.key), read(identity.cert));
  const recommender = (creds: ChannelCredentials) => {
    const client = new RecommenderServiceClient(stack.addresses.recommender, creds);
    clients.push(client);
    return client;
  };
  const recommend = (client: RecommenderServiceClient) =>
    unaryCall(client.recommend.bind(client), RecommendRequest.fromPartial({ userId: readWorldInteractions(stack.world.dir)[0]?.userId ?? "", count: 10, surface: "home" }), {
      deadline: Date.now() + 10_000,
    });
  const failure = async (p: Promise<unknown>) => (await p.then(() => undefined).catch((e: unknown) => e)) as ServiceError | undefined;

  it("answers a client with a certificate of the CA, every hop behind it over mTLS, nothing degraded", async () => {
    const res = await recommend(recommender(withClientCertificate(certs.client)));
    expect(res.degraded).toEqual([]);
    expect(res.items).toHaveLength(10);
    expect(res.model?.name).toBe("ctr-mlp");
  });

  it.each([
    ["without a client certificate", () => credentials.createSsl(read(certs.ca))],
    ["with a certificate of another CA", () => withClientCertificate(certs.rogueClient)],
    ["in plaintext", () => credentials.createInsecure()],
  ])("refuses a client %s, at the front door and at an inner service", async (_, creds) => {
    const front = await failure(recommend(recommender(creds())));
    expect(front?.code).toBe(status.UNAVAILABLE);
    const feature = new FeatureServiceClient(stack.addresses.feature, creds());
    clients.push(feature);
    const inner = await failure(
      unaryCall(feature.getFeatures.bind(feature), GetFeaturesRequest.fromPartial({ entityIds: ["user-00001"], features: ["user_activity:total_interactions"] }), {
        deadline: Date.now() + 5_000,
      }),
    );
    expect(inner?.code).toBe(status.UNAVAILABLE);
  });
});
