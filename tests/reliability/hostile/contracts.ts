import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, type DescMessage } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceName } from "../../../services/kit/config/ports.js";
import { DESCRIPTOR_SET_PATH } from "../../../services/kit/grpc/descriptors.js";
import type { MethodKind } from "./raw-client.js";

/** The gRPC service each recmesh service serves. */
const SERVICE_TYPES: Record<ServiceName, string> = {
  recommender: "recmesh.recommender.v1.RecommenderService",
  feature: "recmesh.feature.v1.FeatureService",
  candidate: "recmesh.candidate.v1.CandidateService",
  ranking: "recmesh.ranking.v1.RankingService",
  experiment: "recmesh.experiment.v1.ExperimentService",
};

export interface ContractMethod {
  service: ServiceName;
  /** /package.Service/Method */
  path: string;
  kind: MethodKind;
  input: DescMessage;
}

/** Every RPC of a service, from the compiled contracts (gen/recmesh.binpb): new RPCs are covered without editing the test. */
export function contractMethods(service: ServiceName): ContractMethod[] {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET_PATH)));
  const desc = registry.getService(SERVICE_TYPES[service]);
  if (!desc) throw new Error(`${SERVICE_TYPES[service]} is not in ${DESCRIPTOR_SET_PATH}`);
  return desc.methods.map((m) => ({ service, path: `/${desc.typeName}/${m.name}`, kind: m.methodKind, input: m.input }));
}
