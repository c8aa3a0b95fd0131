import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ExperimentServiceClient,
  ExperimentServiceService,
  GetExperimentRequest,
  GetExperimentResponse,
  type ExperimentServiceServer,
} from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import type { GrpcTlsSettings } from "../config/tls-config.js";
import { startKitServer } from "../testing/kit-server.js";
import { createTestCertificates, type TestCertificates } from "../testing/test-certificates.js";
import { testLogger } from "../testing/test-logger.js";
import { tlsFromEnv } from "../testing/tls-settings.js";
import { createClient } from "./client-factory.js";
import { checkHealth } from "./health-client.js";
import { RpcAdapter } from "./handlers.js";
import type { ServiceServer } from "./service-server.js";
import { unaryCall } from "./unary-call.js";

function implementation(): Pick<ExperimentServiceServer, "getExperiment"> {
  const rpc = new RpcAdapter("ExperimentService", testLogger(), 5_000);
  return { getExperiment: rpc.unary("GetExperiment", async (req: GetExperimentRequest) => GetExperimentResponse.create({ revision: "1", experiment: { name: req.name } })) };
}

const open: { close(): void }[] = [];

function client(address: string, tls: GrpcTlsSettings | undefined): ExperimentServiceClient {
  const c = createClient(ExperimentServiceClient, address, { maxMessageBytes: 1 << 20, tls });
  open.push(c);
  return c;
}

async function callStatus(c: ExperimentServiceClient): Promise<status> {
  try {
    const res = await unaryCall(c.getExperiment.bind(c), GetExperimentRequest.create({ name: "x" }), { deadline: Date.now() + 10_000 });
    expect(res.experiment?.name).toBe("x");
    return status.OK;
  } catch (err) {
    return (err as ServiceError).code;
  }
}

let certs: TestCertificates;
const servers: ServiceServer[] = [];

async function start(tls: GrpcTlsSettings | undefined, overrides = {}): Promise<string> {
  const { server, address } = await startKitServer([{ definition: ExperimentServiceService, implementation: implementation() }], { tls, ...overrides });
  servers.push(server);
  return address;
}

beforeAll(() => {
  certs = createTestCertificates();
});

afterAll(async () => {
  for (const c of open) c.close();
  for (const s of servers) await s.drain();
  certs.remove();
});

describe("gRPC over TLS", () => {
  it("a TLS server answers a client that trusts its CA, and refuses plaintext and unverified clients", async () => {
    const address = await start(tlsFromEnv({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.server.key }, true));
    expect(await callStatus(client(address, tlsFromEnv({ RECMESH_TLS_CA: certs.ca }, false)))).toBe(status.OK);
    expect(await callStatus(client(address, undefined))).toBe(status.UNAVAILABLE);
    const systemRootsOnly = createClient(ExperimentServiceClient, address, { maxMessageBytes: 1 << 20, tls: { requireClientCertificate: false } });
    open.push(systemRootsOnly);
    expect(await callStatus(systemRootsOnly)).toBe(status.UNAVAILABLE);
  });

  it("verifies the server name, overridable for addresses the certificate does not name", async () => {
    const address = await start(tlsFromEnv({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.server.key }, true));
    const port = address.split(":")[1];
    const wrongName = tlsFromEnv({ RECMESH_TLS_CA: certs.ca, RECMESH_TLS_SERVER_NAME: "feature.example" }, false);
    expect(await callStatus(client(address, wrongName))).toBe(status.UNAVAILABLE);
    expect(await callStatus(client(`localhost:${port}`, tlsFromEnv({ RECMESH_TLS_CA: certs.ca }, false)))).toBe(status.OK);
  });

  describe("with mutual TLS required", () => {
    const mtlsServer = () =>
      tlsFromEnv({ RECMESH_TLS_CERT: certs.server.cert, RECMESH_TLS_KEY: certs.server.key, RECMESH_TLS_CA: certs.ca, RECMESH_TLS_CLIENT_AUTH: "require" }, true);
    let address: string;

    beforeAll(async () => {
      address = await start(mtlsServer());
    });

    it("refuses a client without a certificate", async () => {
      expect(await callStatus(client(address, tlsFromEnv({ RECMESH_TLS_CA: certs.ca }, false)))).toBe(status.UNAVAILABLE);
    });

    it("refuses a client whose certificate another CA signed", async () => {
      const rogue = tlsFromEnv({ RECMESH_TLS_CA: certs.ca, RECMESH_TLS_CERT: certs.rogueClient.cert, RECMESH_TLS_KEY: certs.rogueClient.key }, false);
      expect(await callStatus(client(address, rogue))).toBe(status.UNAVAILABLE);
    });

    it("answers a client with a certificate from the CA, health checks included", async () => {
      const valid = tlsFromEnv({ RECMESH_TLS_CA: certs.ca, RECMESH_TLS_CERT: certs.client.cert, RECMESH_TLS_KEY: certs.client.key }, false);
      expect(await callStatus(client(address, valid))).toBe(status.OK);
      expect(await checkHealth(address, "", valid)).toBe("NOT_SERVING");
      await expect(checkHealth(address)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });

    it("a service's own settings make a client that passes (one certificate, both roles)", async () => {
      expect(await callStatus(client(address, mtlsServer()))).toBe(status.OK);
    });

    it("keys the per-caller rate limit by the client certificate's subject CN", async () => {
      const limited = await start(mtlsServer(), { rateLimit: { ratePerSecond: 0.001, burst: 1, trustCallerHeader: false } });
      const valid = tlsFromEnv({ RECMESH_TLS_CA: certs.ca, RECMESH_TLS_CERT: certs.client.cert, RECMESH_TLS_KEY: certs.client.key }, false);
      const c = client(limited, valid);
      expect(await callStatus(c)).toBe(status.OK);
      const refused = await unaryCall(c.getExperiment.bind(c), GetExperimentRequest.create({ name: "x" }), { deadline: Date.now() + 10_000 }).catch(
        (err: ServiceError) => err,
      );
      expect(refused).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
      expect((refused as ServiceError).details).toContain("cert:client");
    });
  });

  it("stays plaintext when nothing is configured", async () => {
    const address = await start(undefined);
    const c = new ExperimentServiceClient(address, credentials.createInsecure());
    open.push(c);
    expect(await callStatus(c)).toBe(status.OK);
  });
});
