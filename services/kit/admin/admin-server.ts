import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/**
 * The admin HTTP port of a service: /metrics (Prometheus text), /healthz (200 when
 * serving, 503 while starting or draining) and /livez (200 while the process runs).
 */
export class AdminServer {
  private readonly server: Server;

  constructor(registry: Registry, isServing: () => boolean) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD" }).end();
      } else if (path === "/metrics") {
        registry.metrics().then(
          (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
          () => res.writeHead(500).end("metrics collection failed\n"),
        );
      } else if (path === "/healthz") {
        const serving = isServing();
        res.writeHead(serving ? 200 : 503, { "content-type": "text/plain" }).end(serving ? "SERVING\n" : "NOT_SERVING\n");
      } else if (path === "/livez") {
        res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      } else {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      }
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
