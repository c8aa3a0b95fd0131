import type { BinaryWriter } from "@bufbuild/protobuf/wire";

/** The encode/decode pair every ts-proto message object has. */
export interface ProtoCodec<T> {
  encode(message: T): BinaryWriter;
  decode(input: Uint8Array): T;
}
