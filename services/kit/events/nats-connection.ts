import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";

/**
 * Connects to NATS and keeps reconnecting forever; connection status changes
 * are logged. The caller drains it on shutdown.
 */
export async function connectNats(url: string, name: string, logger: Logger): Promise<NatsConnection> {
  const nc = await connect({
    servers: url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    timeout: 5_000,
  });
  logger.info({ server: nc.getServer() }, "connected to NATS");
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error") {
        logger.warn({ status: s.type }, "NATS connection status");
      }
    }
  })();
  return nc;
}
