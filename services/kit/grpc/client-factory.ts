import { credentials, type ChannelOptions, type Client, type ChannelCredentials } from "@grpc/grpc-js";

export interface ClientSettings {
  maxMessageBytes: number;
}

type ClientConstructor<C extends Client> = new (address: string, creds: ChannelCredentials, options?: Partial<ChannelOptions>) => C;

/** A generated client for another service with recmesh's channel settings. */
export function createClient<C extends Client>(Ctor: ClientConstructor<C>, address: string, settings: ClientSettings): C {
  return new Ctor(address, credentials.createInsecure(), {
    "grpc.max_receive_message_length": settings.maxMessageBytes,
    "grpc.max_send_message_length": settings.maxMessageBytes,
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 2_000,
  });
}
