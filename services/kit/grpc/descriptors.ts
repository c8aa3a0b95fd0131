import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/** The FileDescriptorSet `buf build` writes from proto/, committed next to the generated code. */
export const DESCRIPTOR_SET_PATH = fileURLToPath(new URL("../../../gen/recmesh.binpb", import.meta.url));

/**
 * Splits a serialized FileDescriptorSet into the serialized FileDescriptorProtos
 * it holds (field 1), byte for byte as the compiler wrote them: true file names,
 * imports, map entries and comments included.
 */
export function splitDescriptorSet(bytes: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(bytes);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1 && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType);
  }
  return files;
}

let cached: Uint8Array[] | undefined;

/** Every file of the recmesh contracts and their imports, as serialized FileDescriptorProtos. */
export function contractFileDescriptors(): Uint8Array[] {
  cached ??= splitDescriptorSet(readFileSync(DESCRIPTOR_SET_PATH));
  return cached;
}

/** grpc.health.v1, compiled by `npm run gen` from grpc-health-check's proto (the health server the kit runs). */
export const HEALTH_DESCRIPTOR_SET_PATH = fileURLToPath(new URL("../../../gen/grpc-health.binpb", import.meta.url));

let health: Uint8Array[] | undefined;

export function healthFileDescriptors(): Uint8Array[] {
  health ??= splitDescriptorSet(readFileSync(HEALTH_DESCRIPTOR_SET_PATH));
  return health;
}
