import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { redactUrl } from "../telemetry/redact-url.js";
import { natsConnectionOptions, natsSettingsOf, type NatsTarget } from "./nats-options.js";

/**
 * Connects to NATS (a URL alone, or settings with credentials and TLS) and
 * keeps reconnecting forever; connection status changes are logged, never a
 * secret. The caller drains it on shutdown.
 */
export async function connectNats(target: NatsTarget, name: string, logger: Logger): Promise<NatsConnection> {
  const settings = natsSettingsOf(target);
  const nc = await connect({
    ...natsConnectionOptions(settings),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    timeout: 5_000,
    // nats.js otherwise builds two Errors with stack traces per request (every JetStream publish and ack) to give a
    // later failure its context: a quarter of the recommender's CPU on Track. Failures keep their messages and types.
    noAsyncTraces: true,
  });
  logger.info({ server: nc.getServer(), url: redactUrl(settings.url), auth: settings.auth.kind, tls: settings.tls !== undefined }, "connected to NATS");
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error") {
        logger.warn({ status: s.type }, "NATS connection status");
      }
    }
  })();
  return nc;
}
