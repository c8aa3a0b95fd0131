import type { ServiceSpec } from "./service-specs.js";

/** Ready-to-paste grpcurl commands for the services that are running (reflection: no proto files needed). */
export function grpcurlExamples(specs: ServiceSpec[]): string[] {
  return specs.flatMap((s) => [`grpcurl -plaintext 127.0.0.1:${s.grpcPort} list`]);
}
