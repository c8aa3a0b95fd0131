import type { ChannelOptions, Client, ChannelCredentials } from "@grpc/grpc-js";
import type { GrpcTlsSettings } from "../config/tls-config.js";
import { channelCredentials, tlsChannelOptions } from "./tls-credentials.js";

export interface ClientSettings {
  maxMessageBytes: number;
  /** TLS (and the client certificate for mTLS); absent: plaintext. */
  tls?: GrpcTlsSettings;
}

/** Receive window per stream and per connection of every client channel. */
const FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 * 1024;

type ClientConstructor<C extends Client> = new (address: string, creds: ChannelCredentials, options?: Partial<ChannelOptions>) => C;

/** A generated client for another service with recmesh's channel settings. */
export function createClient<C extends Client>(Ctor: ClientConstructor<C>, address: string, settings: ClientSettings): C {
  return new Ctor(address, channelCredentials(settings.tls), {
    "grpc.max_receive_message_length": settings.maxMessageBytes,
    "grpc.max_send_message_length": settings.maxMessageBytes,
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 2_000,
    // HTTP/2's 64 KB default receive window made a 500-item feature block (~150 KB) wait for window updates mid-answer.
    "grpc-node.flow_control_window": FLOW_CONTROL_WINDOW_BYTES,
    ...tlsChannelOptions(settings.tls),
  });
}
