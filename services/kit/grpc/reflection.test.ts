import type { DescMessage, FileRegistry } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CandidateServiceService } from "../../../gen/recmesh/candidate/v1/candidate_service.js";
import { ExperimentServiceService } from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import { FeatureServiceService } from "../../../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceService } from "../../../gen/recmesh/ranking/v1/ranking_service.js";
import { RecommenderServiceService } from "../../../gen/recmesh/recommender/v1/recommender_service.js";
import { startKitServer } from "../testing/kit-server.js";
import { ReflectionClient, type ReflectionVersion } from "../testing/reflection-client.js";
import type { ServiceServer } from "./service-server.js";

const SERVICES = {
  "recmesh.recommender.v1.RecommenderService": RecommenderServiceService,
  "recmesh.feature.v1.FeatureService": FeatureServiceService,
  "recmesh.candidate.v1.CandidateService": CandidateServiceService,
  "recmesh.ranking.v1.RankingService": RankingServiceService,
  "recmesh.experiment.v1.ExperimentService": ExperimentServiceService,
};

/** Every message type reachable from `root`, following message and map-value fields. */
function reachableMessages(root: DescMessage): DescMessage[] {
  const seen = new Map<string, DescMessage>();
  const walk = (m: DescMessage) => {
    if (seen.has(m.typeName)) return;
    seen.set(m.typeName, m);
    for (const f of m.fields) {
      if (f.fieldKind === "message" || f.fieldKind === "list" && f.listKind === "message") walk(f.message);
      if (f.fieldKind === "map" && f.mapKind === "message") walk(f.message);
    }
  };
  walk(root);
  return [...seen.values()];
}

describe("server reflection from the compiled descriptors", () => {
  let server: ServiceServer;
  let address: string;

  beforeAll(async () => {
    ({ server, address } = await startKitServer(
      Object.values(SERVICES).map((definition) => ({ definition, implementation: {} })),
    ));
  });

  afterAll(async () => {
    await server.drain();
  });

  describe.each<ReflectionVersion>(["v1", "v1alpha"])("grpc.reflection.%s", (version) => {
    let client: ReflectionClient;
    beforeAll(() => {
      client = new ReflectionClient(address, version);
    });
    afterAll(() => client.close());

    it("lists every service and grpc.health.v1.Health", async () => {
      expect((await client.listServices()).sort()).toEqual([...Object.keys(SERVICES), "grpc.health.v1.Health"].sort());
    });

    it("resolves grpc.health.v1.Health, so grpcurl can call Check and Watch without a proto file", async () => {
      const registry = await client.resolveSymbol("grpc.health.v1.Health");
      expect(registry.getService("grpc.health.v1.Health")?.methods.map((m) => m.name).sort()).toEqual(expect.arrayContaining(["Check", "Watch"]));
      expect(registry.getMessage("grpc.health.v1.HealthCheckResponse")?.fields.map((f) => f.name)).toEqual(["status"]);
    });

    it.each(Object.entries(SERVICES))("resolves every method of %s with its full dependency closure", async (name, definition) => {
      const registry: FileRegistry = await client.resolveSymbol(name);
      const service = registry.getService(name);
      expect(service, name).toBeDefined();
      expect(service?.methods.map((m) => m.name).sort()).toEqual(Object.values(definition).map((m) => m.path.split("/")[2]).sort());
      for (const method of service?.methods ?? []) {
        for (const root of [method.input, method.output]) {
          for (const message of reachableMessages(root)) {
            expect(registry.getMessage(message.typeName), `${method.name} → ${message.typeName}`).toBeDefined();
          }
        }
      }
    });

    it("returns each file under its true name with its imports, well-known types and maps intact", async () => {
      const registry = await client.resolveSymbol("recmesh.recommender.v1.RecommenderService");
      const file = registry.getFile("recmesh/recommender/v1/recommender_service.proto");
      expect(file?.dependencies.map((d) => d.proto.name)).toEqual(
        expect.arrayContaining([
          "google/protobuf/duration.proto",
          "recmesh/candidate/v1/candidate_service.proto",
          "recmesh/common/v1/context.proto",
        ]),
      );
      const context = registry.getMessage("recmesh.common.v1.RequestContext");
      const attributes = context?.fields.find((f) => f.name === "attributes");
      expect(attributes?.fieldKind).toBe("map");
      const stage = registry.getMessage("recmesh.recommender.v1.StageTrace");
      const duration = stage?.fields.find((f) => f.name === "duration");
      expect(duration?.fieldKind === "message" && duration.message.typeName).toBe("google.protobuf.Duration");
      const changed = await client.resolveSymbol("recmesh.experiment.v1.ExperimentService");
      const params = changed.getMessage("recmesh.experiment.v1.Variant")?.fields.find((f) => f.name === "params");
      expect(params?.fieldKind).toBe("map");
    });
  });
});
