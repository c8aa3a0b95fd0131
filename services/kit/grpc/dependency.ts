import { status } from "@grpc/grpc-js";
import CircuitBreaker from "opossum";
import type { Logger } from "pino";
import { DeadlineExceededError, UnavailableError } from "../errors/errors.js";
import { isServiceError } from "../errors/status.js";
import type { ServiceMetrics } from "../telemetry/metrics.js";
import { childDeadline } from "./deadline.js";

/** Codes that mean the dependency failed; anything else is the caller's own mistake. */
const DEPENDENCY_FAILURES = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.INTERNAL,
  status.UNKNOWN,
  status.RESOURCE_EXHAUSTED,
  status.DATA_LOSS,
  status.UNIMPLEMENTED,
]);

/** True when an error should count against a dependency's circuit breaker. */
export function isDependencyFailure(err: unknown): boolean {
  return isServiceError(err) ? DEPENDENCY_FAILURES.has(err.code) : true;
}

export interface BreakerSettings {
  /** Failure percentage in the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** How long the breaker stays open before letting one trial call through. */
  resetTimeoutMs: number;
  /** Calls in the window before the percentage is considered at all. */
  volumeThreshold: number;
  /** Rolling statistics window. */
  rollingWindowMs: number;
}

export type BreakerState = "closed" | "half-open" | "open";

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };

export interface CallOptions {
  /** This call's own timeout. */
  timeoutMs: number;
  /** The caller's deadline (epoch ms); the call's deadline is cut to fit inside it. */
  parentDeadline?: number;
  /** Time kept back from the parent deadline for work after this call. */
  marginMs?: number;
}

export interface Fallback<T> {
  value: T;
  /** The dependency failed or its breaker was open, and the fallback answered. */
  degraded: boolean;
  error?: unknown;
}

/**
 * A downstream service behind an opossum circuit breaker. Only dependency
 * failures (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, ...) count; a caller's
 * INVALID_ARGUMENT or NOT_FOUND passes through without tripping it. Breaker
 * state is exported as recmesh_breaker_state{dependency} (0 closed, 1 half-open, 2 open).
 */
export class Dependency {
  private readonly breaker: CircuitBreaker<[(deadline: number) => Promise<unknown>, number], unknown>;
  private readonly calls;

  constructor(
    readonly name: string,
    settings: BreakerSettings,
    metrics: ServiceMetrics,
    private readonly logger: Logger,
  ) {
    this.breaker = new CircuitBreaker((fn: (deadline: number) => Promise<unknown>, deadline: number) => fn(deadline), {
      name,
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingWindowMs,
      errorFilter: (err: unknown) => !isDependencyFailure(err),
      // Opening decisions use counts only; opossum's latency percentiles (every latency of the window concatenated and
      // sorted on each failure and each second) cost the recommender about 12 % of its CPU at saturation, and nothing reads them.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
    const state = metrics.gauge(
      "recmesh_breaker_state",
      "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.",
      ["dependency"],
    );
    this.calls = metrics.counter("recmesh_dependency_calls_total", "Calls to dependencies by outcome.", ["dependency", "outcome"]);
    state.set({ dependency: name }, 0);
    const onState = (s: BreakerState) => () => {
      state.set({ dependency: name }, STATE_VALUE[s]);
      this.logger.warn({ dependency: name, state: s }, "circuit breaker state changed");
    };
    this.breaker.on("open", onState("open"));
    this.breaker.on("halfOpen", onState("half-open"));
    this.breaker.on("close", onState("closed"));
  }

  get state(): BreakerState {
    if (this.breaker.opened) return "open";
    return this.breaker.halfOpen ? "half-open" : "closed";
  }

  /**
   * Closes the breaker on evidence from outside `call` that the dependency
   * answers again (a stream from it delivering): a caller that stopped making
   * calls through it would otherwise leave it open or half-open, with no call
   * to close it.
   */
  recovered(): void {
    if (this.breaker.opened || this.breaker.halfOpen) this.breaker.close();
  }

  /**
   * Runs `fn` with a deadline derived from the caller's; rejects with
   * UnavailableError when the breaker is open and DeadlineExceededError when no
   * time is left, without calling the dependency.
   */
  async call<T>(fn: (deadline: number) => Promise<T>, options: CallOptions): Promise<T> {
    const deadline = childDeadline(options.parentDeadline ?? Infinity, options.timeoutMs, options.marginMs ?? 0);
    if (deadline <= Date.now()) {
      this.calls.inc({ dependency: this.name, outcome: "no_time" });
      throw new DeadlineExceededError(`no time left to call ${this.name}`);
    }
    try {
      const result = (await this.breaker.fire(fn, deadline)) as T;
      this.calls.inc({ dependency: this.name, outcome: "ok" });
      return result;
    } catch (err) {
      if (this.breaker.opened && isBreakerRejection(err)) {
        this.calls.inc({ dependency: this.name, outcome: "rejected" });
        throw new UnavailableError(`${this.name} unavailable (circuit open)`, { cause: err });
      }
      this.calls.inc({ dependency: this.name, outcome: isDependencyFailure(err) ? "failure" : "caller_error" });
      throw err;
    }
  }

  /** Like call, but a dependency failure or open breaker yields the fallback instead of an error. */
  async callWithFallback<T>(
    fn: (deadline: number) => Promise<T>,
    options: CallOptions,
    fallback: (err: unknown) => T | Promise<T>,
  ): Promise<Fallback<T>> {
    try {
      return { value: await this.call(fn, options), degraded: false };
    } catch (err) {
      if (!(err instanceof UnavailableError || err instanceof DeadlineExceededError || isDependencyFailure(err))) throw err;
      this.calls.inc({ dependency: this.name, outcome: "fallback" });
      return { value: await fallback(err), degraded: true, error: err };
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}

function isBreakerRejection(err: unknown): boolean {
  return err instanceof Error && (err as Error & { code?: string }).code === "EOPENBREAKER";
}
