import { credsAuthenticator, type ConnectionOptions } from "@nats-io/transport-node";
import type { NatsSettings } from "../config/nats-config.js";

/** A bare URL (loopback development, no authentication) or full settings. */
export type NatsTarget = string | NatsSettings;

export function natsSettingsOf(target: NatsTarget): NatsSettings {
  return typeof target === "string" ? { url: target, auth: { kind: "none" } } : target;
}

/** nats.js connection options for the configured URL, authentication and TLS (secrets revealed only here). */
export function natsConnectionOptions(target: NatsTarget): ConnectionOptions {
  const settings = natsSettingsOf(target);
  const { auth, tls } = settings;
  const options: ConnectionOptions = { servers: settings.url };
  if (auth.kind === "user") Object.assign(options, { user: auth.user, pass: auth.password.reveal() });
  if (auth.kind === "token") options.token = auth.token.reveal();
  if (auth.kind === "creds") options.authenticator = credsAuthenticator(new Uint8Array(auth.creds.contents));
  if (tls) {
    options.tls = {
      ...(tls.ca ? { ca: tls.ca.contents.toString("utf8") } : {}),
      ...(tls.cert ? { cert: tls.cert.contents.toString("utf8") } : {}),
      ...(tls.key ? { key: tls.key.contents.toString("utf8") } : {}),
    };
  }
  return options;
}
