import { createServer, type AddressInfo } from "node:net";

/** Ports this process has handed out: the OS may offer a just-closed port again, and two services must not be given the same one. */
const handedOut = new Set<number>();
const ATTEMPTS = 20;

/** A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = await unusedPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no port on 127.0.0.1 this process has not already handed out, after ${ATTEMPTS} tries`);
}

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const START_ATTEMPTS = 3;

/**
 * Runs `start`; when it fails because another process took its port between
 * freePort() and listen, picks new ports with `repick` and tries again (three
 * tries in all). Only for a service nothing has been told the address of yet.
 */
export async function startRetryingTakenPorts(start: () => Promise<void>, repick: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (err) {
      if (attempt === START_ATTEMPTS || !String(err instanceof Error ? err.message : err).includes("EADDRINUSE")) throw err;
      await repick();
    }
  }
}
