import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { ProtoCodec } from "../../kit/events/proto-codec.js";

/** Passes event bytes through: the analyzer consumes several subjects with one durable and decodes each by its subject. */
export const RAW_EVENT_CODEC: ProtoCodec<Uint8Array> = {
  encode: (message) => new BinaryWriter().raw(message),
  decode: (input) => input,
};
