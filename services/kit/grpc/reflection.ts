import type { Server } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { contractFileDescriptors, healthFileDescriptors } from "./descriptors.js";
import { HEALTH_SERVICE } from "./health.js";

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/**
 * Serves grpc.reflection v1 and v1alpha from the compiled descriptors of proto/
 * rather than from proto-loader's synthetic per-package files, which drop imports
 * and misname map entries (grpc/grpc-node#2958). @grpc/reflection indexes
 * whatever FileDescriptorProtos the package definition carries, so handing it
 * the real files makes grpcurl and k6 resolve every type. grpc.health.v1 comes
 * compiled from grpc-health-check's proto file, so `grpcurl …
 * grpc.health.v1.Health/Check` needs no -proto.
 */
export function addReflection(server: Server, serviceNames: string[]): void {
  const definition = {
    "recmesh.descriptors": { format: "FileDescriptorSet", fileDescriptorProtos: [...contractFileDescriptors().map(Buffer.from), ...healthFileDescriptors().map(Buffer.from)] },
  } as unknown as PackageDefinition;
  new ReflectionService(definition, { services: [...serviceNames, HEALTH_SERVICE] }).addToServer(server);
}
