import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedWorld } from "../../../cli/seed/seed-world.js";
import { availableServices, stackEnvironment, type ServiceSpec } from "../../../cli/stack/service-specs.js";
import { startService, waitUntilServing, type RunningService } from "../../../cli/stack/supervisor.js";
import type { ServiceName } from "../../../services/kit/config/ports.js";
import { freePort } from "../../../services/kit/infra/free-port.js";
import { startInfrastructure, type Infrastructure } from "../../../services/kit/infra/infrastructure.js";
import { readWorldItems, readWorldUsers, resolveWorldOptions, worldEndForNow } from "../../../world/index.js";
import { LatencyProxy } from "./latency-proxy.js";

export type { ServiceName };

export interface WorldSize {
  items: number;
  users: number;
  days: number;
}

export interface ChildStackOptions {
  /** A seeded world published before the services start; none when absent. */
  world?: WorldSize;
  /** Environment of every service. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Keep the data directory (service logs, stores) after stop, for a post-mortem. */
  keepData?: boolean;
}

export interface UnexpectedExit {
  service: ServiceName;
  code: number | null;
  outputTail: string;
}

const WORLD_SEED = 11;

/**
 * The real stack for fault injection: nats-server (JetStream file store) and
 * redis-server (append-only file, so a stopped Redis keeps its data) from the
 * kit launcher, and every service as its own child process, so kill -9 is real.
 * The recommender reaches ranking through a latency proxy (pass-through until
 * told otherwise). Any exit that this harness did not cause is recorded as a crash.
 */
export class ChildStack {
  readonly dataDir = mkdtempSync(join(tmpdir(), "recmesh-faults-"));
  readonly logDir = join(this.dataDir, "logs");
  readonly rankingProxy = new LatencyProxy();
  readonly crashes: UnexpectedExit[] = [];
  infra!: Infrastructure;
  worldUsers: string[] = [];
  worldItems: string[] = [];
  private specs: ServiceSpec[] = [];
  private baseEnv: Record<string, string> = {};
  private readonly running = new Map<ServiceName, RunningService>();
  private readonly overrides = new Map<ServiceName, Record<string, string>>();
  private readonly expectedExits = new Set<RunningService>();

  constructor(private readonly options: ChildStackOptions = {}) {
    mkdirSync(this.logDir, { recursive: true });
  }

  async start(): Promise<void> {
    this.infra = await startInfrastructure({ dataDir: join(this.dataDir, "infra"), persistRedis: true });
    const ports: Record<string, string> = {};
    for (const name of ["experiment", "feature", "candidate", "ranking", "recommender"]) {
      ports[`RECMESH_${name.toUpperCase()}_PORT`] = String(await freePort());
      ports[`RECMESH_${name.toUpperCase()}_ADMIN_PORT`] = String(await freePort());
    }
    this.specs = availableServices(ports);
    this.baseEnv = { ...stackEnvironment(this.specs, this.infra, this.dataDir), LOG_LEVEL: "warn", ...this.options.env };
    await this.rankingProxy.listen(this.spec("ranking").grpcPort);
    if (this.options.world) await this.seed(this.options.world);
    for (const spec of this.specs) await this.startService(spec.name);
  }

  private async seed(size: WorldSize): Promise<void> {
    const world = resolveWorldOptions({ preset: "small", ...size, seed: WORLD_SEED, endTime: worldEndForNow() });
    const report = await seedWorld({ nats: this.infra.natsUrl, streams: { replicas: 1, eventRetentionDays: 3650 }, world, dir: join(this.dataDir, "world") });
    this.worldUsers = readWorldUsers(report.dir).map((u) => u.id);
    this.worldItems = readWorldItems(report.dir).map((i) => i.id);
  }

  spec(name: ServiceName): ServiceSpec {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`service ${name} has no composition root in this checkout`);
    return spec;
  }

  address(name: ServiceName): string {
    return `127.0.0.1:${this.spec(name).grpcPort}`;
  }

  adminUrl(name: ServiceName): string {
    return `http://127.0.0.1:${this.spec(name).adminPort}`;
  }

  pid(name: ServiceName): number | undefined {
    return this.running.get(name)?.process.pid;
  }

  isRunning(name: ServiceName): boolean {
    return this.running.get(name)?.process.running ?? false;
  }

  private env(name: ServiceName): Record<string, string> {
    const proxied: Record<string, string> = name === "recommender" ? { RECMESH_RANKING_ADDR: `127.0.0.1:${this.rankingProxy.port}` } : {};
    return { ...this.baseEnv, ...proxied, ...this.overrides.get(name) };
  }

  /** Starts (or starts again) one service and waits until it is SERVING. */
  async startService(name: ServiceName): Promise<void> {
    const service = startService(this.spec(name), this.env(name), this.logDir);
    this.running.set(name, service);
    void service.process.exited.then((code) => {
      if (!this.expectedExits.has(service)) this.crashes.push({ service: name, code, outputTail: service.process.outputTail() });
    });
    await waitUntilServing(service, this.options.readyTimeoutMs ?? 90_000);
  }

  /** kill -9. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.running.get(name);
    if (!service) return;
    this.expectedExits.add(service);
    await service.process.kill();
  }

  /** SIGTERM (graceful drain). */
  async stopService(name: ServiceName): Promise<void> {
    const service = this.running.get(name);
    if (!service) return;
    this.expectedExits.add(service);
    await service.process.stop(15_000);
  }

  /** Restarts a service gracefully with extra environment (kept for later restarts; undefined clears it). */
  async reconfigure(name: ServiceName, env: Record<string, string> | undefined): Promise<void> {
    await this.stopService(name);
    if (env) this.overrides.set(name, env);
    else this.overrides.delete(name);
    await this.startService(name);
  }

  async stop(): Promise<void> {
    for (const spec of [...this.specs].reverse()) await this.stopService(spec.name);
    await this.rankingProxy.close();
    await this.infra?.stop();
    if (!this.options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
