import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { ProtoCodec } from "../../kit/events/proto-codec.js";

/**
 * Passes event bytes through: the indexer consumes every EVENTS subject with
 * one durable, so items and interactions are applied in stream order (one
 * sequence to snapshot), and decodes each by its subject.
 */
export const RAW_EVENT_CODEC: ProtoCodec<Uint8Array> = {
  encode: (message) => new BinaryWriter().raw(message),
  decode: (input) => input,
};
