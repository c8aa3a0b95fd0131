/**
 * The stack the suite measures, started as users start it (`recmesh stack`):
 * nats-server and redis-server through the kit launcher, each service as its
 * own `node --import tsx services/<name>/main.ts` process, wired by the same
 * environment, on free loopback ports (others use the default ones on this
 * machine). The seeded default world is kept as a baseline copy, so every run
 * starts from the same data and only the first one pays for seeding.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { seedWorld, describeSeed, worldDir } from "../../cli/seed/seed-world.js";
import { availableServices, stackEnvironment, type ServiceSpec } from "../../cli/stack/service-specs.js";
import { waitUntilServing, type RunningService } from "../../cli/stack/supervisor.js";
import type { ServiceName } from "../../services/kit/config/ports.js";
import { waitForConsumers } from "../../services/kit/events/consumer-lag.js";
import { EVENTS_STREAM } from "../../services/kit/events/subjects.js";
import { declareStreams } from "../../services/kit/events/topology.js";
import { freePort, startRetryingTakenPorts } from "../../services/kit/infra/free-port.js";
import { startInfrastructure, type Infrastructure } from "../../services/kit/infra/infrastructure.js";
import { ManagedProcess } from "../../services/kit/infra/managed-process.js";
import { resolveWorldOptions, worldEndForNow, type WorldOptions } from "../../world/index.js";

export const STREAMS = { replicas: 1, eventRetentionDays: 30 };
const WORLD_SEED = 42;
const READY_FILE = "BASELINE.json";
const READY_TIMEOUT_MS = 120_000;

interface Baseline {
  world: WorldOptions;
  seeded: string;
  summary: string[];
}

export interface ExtraInstance {
  address: string;
  stop(): Promise<void>;
}

export interface RestartOptions {
  /** Extra environment for this start only (e.g. ranking settings). */
  env?: Record<string, string>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export class SuiteStack {
  readonly addresses = {} as Record<ServiceName, string>;
  private readonly running = new Map<ServiceName, RunningService>();
  private readonly extras = new Set<ManagedProcess>();
  private specs: ServiceSpec[] = [];
  private env: Record<string, string> = {};

  constructor(
    readonly infra: Infrastructure,
    readonly dataDir: string,
    readonly baseline: Baseline,
  ) {}

  get worldDir(): string {
    return worldDir(this.dataDir, this.baseline.world.seed);
  }

  /**
   * Restores the seeded baseline (seeding it first when there is none, or with
   * `fresh`) into a clean run directory and starts infrastructure and services.
   */
  static async start(root: string, options: { fresh: boolean }, say: (line: string) => void): Promise<SuiteStack> {
    const baselineDir = resolve(root, "baseline");
    if (options.fresh || !existsSync(join(baselineDir, READY_FILE))) await createBaseline(baselineDir, say);
    const baseline = JSON.parse(readFileSync(join(baselineDir, READY_FILE), "utf8")) as Baseline;
    const runDir = resolve(root, "run");
    rmSync(runDir, { recursive: true, force: true });
    cpSync(baselineDir, runDir, { recursive: true });
    rmSync(join(runDir, "logs"), { recursive: true, force: true });
    const infra = await startInfrastructure({ dataDir: runDir, persistRedis: true, natsPort: await freePort(), redisPort: await freePort() });
    const stack = new SuiteStack(infra, runDir, baseline);
    try {
      await stack.startServices();
      await stack.waitForProjections(5 * 60_000);
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  /** Starts every service of this checkout, dependencies first, each once SERVING. */
  async startServices(): Promise<void> {
    const ports: Record<string, string> = {};
    for (const name of ["experiment", "feature", "candidate", "ranking", "recommender"]) await pickPorts(ports, name);
    this.wire(ports);
    mkdirSync(join(this.dataDir, "logs"), { recursive: true });
    const nc = await connect({ servers: this.infra.natsUrl });
    await declareStreams(await jetstreamManager(nc), STREAMS);
    await nc.close();
    for (const name of this.specs.map((s) => s.name)) await this.launchFirstTime(name, ports);
  }

  private wire(ports: Record<string, string>): void {
    this.specs = availableServices(ports);
    this.env = stackEnvironment(this.specs, this.infra, this.dataDir);
    for (const spec of this.specs) this.addresses[spec.name] = `127.0.0.1:${spec.grpcPort}`;
  }

  /**
   * Another process may take a free port before the service listens on it.
   * Services start after their dependencies, so nothing started yet was told
   * this one's address: pick new ports, rewire, and try again.
   */
  private launchFirstTime(name: ServiceName, ports: Record<string, string>): Promise<void> {
    return startRetryingTakenPorts(
      () => this.launch(this.specs.find((s) => s.name === name) as ServiceSpec, {}),
      async () => {
        await pickPorts(ports, name);
        this.wire(ports);
      },
    );
  }

  private async launch(spec: ServiceSpec, options: RestartOptions): Promise<void> {
    const proc = new ManagedProcess(
      spec.name,
      process.execPath,
      [...(options.nodeArgs ?? []), "--import", "tsx", spec.entry],
      join(this.dataDir, "logs", `${spec.name}.log`),
      { ...process.env, ...this.env, ...options.env },
    );
    const service = { spec, process: proc };
    this.running.set(spec.name, service);
    await waitUntilServing(service, READY_TIMEOUT_MS);
  }

  /** The stack's services in start order (dependencies first). */
  get services(): ServiceName[] {
    return this.specs.map((s) => s.name);
  }

  pid(name: ServiceName): number | undefined {
    return this.running.get(name)?.process.pid;
  }

  /** Process ids of every service and server of the stack, by name. */
  pids(): Record<string, number | undefined> {
    const pids: Record<string, number | undefined> = { "nats-server": this.infra.nats?.process.pid, "redis-server": this.infra.redis?.process.pid };
    for (const [name, service] of this.running) pids[name] = service.process.pid;
    return pids;
  }

  /**
   * Another instance of a service of this stack on its own ports, with extra
   * environment (settings compared side by side, so that every variant sees the
   * same background load), or another entry point on that service's ports and
   * environment. Stopped with `stop`, and with the stack at the latest.
   */
  async startExtra(name: ServiceName, label: string, env: Record<string, string>, entry?: string): Promise<ExtraInstance> {
    const base = this.specs.find((s) => s.name === name);
    if (!base) throw new Error(`no service ${name} in this stack`);
    const spec = { ...base, grpcPort: await freePort(), adminPort: await freePort() };
    const upper = name.toUpperCase();
    const proc = new ManagedProcess(
      `${name}-${label}`,
      process.execPath,
      ["--import", "tsx", entry ?? spec.entry],
      join(this.dataDir, "logs", `${name}-${label}.log`),
      { ...process.env, ...this.env, [`RECMESH_${upper}_PORT`]: String(spec.grpcPort), [`RECMESH_${upper}_ADMIN_PORT`]: String(spec.adminPort), ...env },
    );
    this.extras.add(proc);
    await waitUntilServing({ spec, process: proc }, READY_TIMEOUT_MS);
    return {
      address: `127.0.0.1:${spec.grpcPort}`,
      stop: async () => {
        await proc.stop(15_000);
        this.extras.delete(proc);
      },
    };
  }

  /** Stops a service (SIGTERM, drained) and starts it again with these options. */
  async restart(name: ServiceName, options: RestartOptions = {}): Promise<void> {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no service ${name} in this stack`);
    await this.running.get(name)?.process.stop(15_000);
    await this.launch(spec, options);
  }

  /** Waits until every durable consumer of EVENTS has applied what is stored (bounded). */
  async waitForProjections(timeoutMs: number): Promise<void> {
    const nc = await connect({ servers: this.infra.natsUrl });
    try {
      await waitForConsumers(await jetstreamManager(nc), EVENTS_STREAM, { timeoutMs });
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    for (const extra of this.extras) await extra.stop(15_000);
    this.extras.clear();
    for (const service of [...this.running.values()].reverse()) await service.process.stop(15_000);
    this.running.clear();
    await this.infra.stop();
  }
}

/** Seeds the default world into a fresh stack under `dir`, then stops it cleanly so its files can be copied. */
async function createBaseline(dir: string, say: (line: string) => void): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const world = resolveWorldOptions({ preset: "default", seed: WORLD_SEED, endTime: worldEndForNow() });
  say(`baseline: seeding the default world (seed ${world.seed}: ${world.items} items, ${world.users} users) into ${dir} — once; later runs copy it`);
  const infra = await startInfrastructure({ dataDir: dir, persistRedis: true, natsPort: await freePort(), redisPort: await freePort() });
  const stack = new SuiteStack(infra, dir, { world, seeded: "", summary: [] });
  try {
    await stack.startServices();
    const report = await seedWorld({ nats: infra.natsUrl, streams: STREAMS, world, dir: worldDir(dir, world.seed), progress: false });
    const summary = describeSeed(report);
    for (const line of summary) say(`  ${line}`);
    await stack.waitForProjections(15 * 60_000);
    await stack.stop();
    const baseline: Baseline = { world, seeded: new Date().toISOString(), summary };
    writeFileSync(join(dir, READY_FILE), JSON.stringify(baseline, null, 2));
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

async function pickPorts(ports: Record<string, string>, name: string): Promise<void> {
  ports[`RECMESH_${name.toUpperCase()}_PORT`] = String(await freePort());
  ports[`RECMESH_${name.toUpperCase()}_ADMIN_PORT`] = String(await freePort());
}
