import { makeGenericClientConstructor, type Client, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import type { GrpcTlsSettings } from "../config/tls-config.js";
import { channelCredentials, tlsChannelOptions } from "./tls-credentials.js";

type HealthClient = Client & {
  check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
  watch(req: { service: string }): ClientReadableStream<{ status: string }>;
};

function healthClient(address: string, tls?: GrpcTlsSettings): HealthClient {
  const Ctor = makeGenericClientConstructor(healthService, "Health");
  return new Ctor(address, channelCredentials(tls), tlsChannelOptions(tls)) as unknown as HealthClient;
}

/** Calls grpc.health.v1.Health/Check over a real connection (TLS when given); resolves "SERVING", "NOT_SERVING", … */
export function checkHealth(address: string, serviceName = "", tls?: GrpcTlsSettings): Promise<string> {
  const client = healthClient(address, tls);
  return new Promise((resolve, reject) => {
    client.check({ service: serviceName }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    });
  });
}

/** Health/Watch: every status the server pushes, in order, until `stop`. */
export function watchHealth(address: string, serviceName = ""): { statuses: string[]; next(): Promise<string>; stop(): void } {
  const client = healthClient(address);
  const stream = client.watch({ service: serviceName });
  const statuses: string[] = [];
  const waiters: ((s: string) => void)[] = [];
  stream.on("data", (m: { status: string }) => {
    statuses.push(m.status);
    waiters.shift()?.(m.status);
  });
  stream.on("error", () => undefined);
  let read = 0;
  return {
    statuses,
    next: () => {
      const ready = statuses[read];
      read += 1;
      return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve));
    },
    stop: () => {
      stream.cancel();
      client.close();
    },
  };
}
