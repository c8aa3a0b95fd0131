import { ensureBinaries } from "../infra/binaries.js";

/** Installs nats-server and redis-server once, before test files start them in parallel. */
export default function setup(): void {
  const needed = [...(process.env.NATS_URL ? [] : ["nats-server"]), ...(process.env.REDIS_URL ? [] : ["redis-server"])];
  if (needed.length > 0) ensureBinaries(needed);
}
