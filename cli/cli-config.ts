import { z } from "zod";
import { natsConfigShape } from "../services/kit/config/common-config.js";
import { loadConfig } from "../services/kit/config/load-config.js";

/** The environment CLI commands share with the services (NATS and stream settings). */
export function loadCliConfig(env: Record<string, string | undefined> = process.env) {
  const e = loadConfig(z.object(natsConfigShape), env);
  return { natsUrl: e.NATS_URL, streams: { replicas: e.RECMESH_STREAM_REPLICAS, eventRetentionDays: e.RECMESH_EVENT_RETENTION_DAYS } };
}
