import type { Server } from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";

export const HEALTH_SERVICE = "grpc.health.v1.Health";

/**
 * grpc.health.v1 for a server: the overall status ("") and one per service, all
 * NOT_SERVING until the service says it is ready and again while draining.
 */
export class ServerHealth {
  private readonly health: HealthImplementation;

  constructor(private readonly serviceNames: string[]) {
    this.health = new HealthImplementation(Object.fromEntries(["", ...serviceNames].map((n) => [n, "NOT_SERVING"])));
  }

  addToServer(server: Server): void {
    this.health.addToServer(server);
  }

  setAll(status: ServingStatus): void {
    for (const name of ["", ...this.serviceNames]) this.health.setStatus(name, status);
  }
}
