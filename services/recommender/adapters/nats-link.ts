import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Whether the NATS connection is up right now, from its status events: false
 * from a disconnect until the reconnect. While it is down the client would
 * buffer a publish and send it after reconnecting, long after the caller gave
 * up; callers that must answer now check this first.
 */
export function natsLinkUp(nc: NatsConnection): () => boolean {
  let up = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") up = false;
      else if (s.type === "reconnect") up = true;
    }
  })();
  return () => up && !nc.isClosed();
}
