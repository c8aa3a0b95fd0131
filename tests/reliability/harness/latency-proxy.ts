import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";

/** Connections held at most; more are refused (a proxy under test must stay bounded). */
const MAX_CONNECTIONS = 64;
/** Bytes held back per connection before its sender is paused. */
const MAX_HELD_BYTES = 4 * 1024 * 1024;
/** Longest latency it will add. */
const MAX_DELAY_MS = 30_000;

/**
 * A TCP proxy on 127.0.0.1 that forwards to a local port and can add latency to
 * everything a client sends (each chunk is forwarded `delayMs` after it
 * arrived, in order), so a healthy server behind it looks slow. With no
 * latency set it is a plain pass-through.
 */
export class LatencyProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private delay = 0;
  port = 0;

  async listen(targetPort: number): Promise<number> {
    const server = createServer((client) => this.accept(client, targetPort));
    server.maxConnections = MAX_CONNECTIONS;
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  get delayMs(): number {
    return this.delay;
  }

  set delayMs(ms: number) {
    this.delay = Math.max(0, Math.min(ms, MAX_DELAY_MS));
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => undefined);
    }
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", closeBoth);
    upstream.on("close", closeBoth);
    // One FIFO per connection: a chunk never overtakes an earlier one, even when the latency changes.
    const queue: { at: number; chunk: Buffer }[] = [];
    let held = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      while (queue.length > 0 && (queue[0]?.at ?? 0) <= Date.now()) {
        const next = queue.shift() as { at: number; chunk: Buffer };
        held -= next.chunk.length;
        if (!upstream.destroyed) upstream.write(next.chunk);
      }
      if (held <= MAX_HELD_BYTES) client.resume();
      const first = queue[0];
      if (first) timer = setTimeout(flush, Math.max(0, first.at - Date.now()));
    };
    client.on("data", (chunk: Buffer) => {
      if (this.delay === 0 && queue.length === 0) {
        upstream.write(chunk);
        return;
      }
      const last = queue[queue.length - 1]?.at ?? 0;
      queue.push({ at: Math.max(Date.now() + this.delay, last), chunk });
      held += chunk.length;
      if (held > MAX_HELD_BYTES) client.pause();
      timer ??= setTimeout(flush, this.delay);
    });
    client.on("close", () => clearTimeout(timer));
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
