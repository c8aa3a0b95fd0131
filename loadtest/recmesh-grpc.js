// Shared by the recmesh k6 scripts: target, TLS, proto source and synthetic users, all from __ENV.
// It sits next to the scripts so that paths given to open() and client.load() resolve the same
// whether k6 takes them relative to the entry script or to this module.
import { Client } from "k6/net/grpc";

/** The value of an environment variable (`-e NAME=value` or the shell), or `fallback` when unset or empty. */
export function env(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value === "" ? fallback : value;
}

/** A numeric environment variable; a value that is not a number stops the script at start. */
export function numberEnv(name, fallback) {
  const raw = env(name, String(fallback));
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

export const TARGET = env("TARGET", "127.0.0.1:50051");
const PROTO_SOURCE = env("PROTO_SOURCE", "reflect");
const USE_TLS = env("TLS", "false") === "true";
const CONNECT_TIMEOUT = env("CONNECT_TIMEOUT", "10s");

/** k6 options every script shares; TLS_INSECURE=true skips verifying the server certificate. */
export const commonOptions = {
  insecureSkipTLSVerify: env("TLS_INSECURE", "false") === "true",
  summaryTrendStats: ["avg", "min", "med", "p(90)", "p(99)", "max", "count"],
};

// open() only works in the init context, so the PEM files are read once, when the script loads.
const tlsParams = USE_TLS ? readTlsFiles() : {};

function readTlsFiles() {
  const params = {};
  const ca = env("TLS_CA", "");
  const cert = env("TLS_CERT", "");
  const key = env("TLS_KEY", "");
  if (ca) params.cacerts = [open(ca)];
  if (cert || key) {
    if (!cert || !key) throw new Error("TLS_CERT and TLS_KEY must be given together (mTLS client certificate)");
    params.cert = open(cert);
    params.key = open(key);
  }
  return params;
}

/** A client with the recommender contract loaded as PROTO_SOURCE says (reflect, files or protoset). */
export function newRecommenderClient() {
  const client = new Client();
  if (PROTO_SOURCE === "files") {
    client.load(["../proto"], "recmesh/recommender/v1/recommender_service.proto");
  } else if (PROTO_SOURCE === "protoset") {
    client.loadProtoset("../gen/recmesh.binpb");
  } else if (PROTO_SOURCE !== "reflect") {
    throw new Error(`PROTO_SOURCE must be reflect, files or protoset, got "${PROTO_SOURCE}"`);
  }
  return client;
}

/** Connects the client to TARGET: plaintext, or TLS with the optional CA and client certificate. */
export function connect(client) {
  const params = { plaintext: !USE_TLS, reflect: PROTO_SOURCE === "reflect", timeout: CONNECT_TIMEOUT };
  // k6 rejects `tls: undefined`, so the key is only there when something is configured.
  if (Object.keys(tlsParams).length > 0) params.tls = tlsParams;
  client.connect(TARGET, params);
}

const USER_PREFIX = env("USER_PREFIX", "user-");
const USER_COUNT = numberEnv("USER_COUNT", 5000);
const USER_ID_WIDTH = numberEnv("USER_ID_WIDTH", 5);

/** A random user of the synthetic world: USER_PREFIX + 1..USER_COUNT zero-padded to USER_ID_WIDTH digits. */
export function randomUserId() {
  const n = 1 + Math.floor(Math.random() * USER_COUNT);
  return USER_PREFIX + String(n).padStart(USER_ID_WIDTH, "0");
}

/** One element of a non-empty array, chosen at random. */
export function pick(values) {
  return values[Math.floor(Math.random() * values.length)];
}
