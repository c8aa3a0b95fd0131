import { context as otelContext, SpanStatusCode, trace } from "@opentelemetry/api";
import { DeadlineExceededError, RecmeshError } from "../../kit/errors/errors.js";
import { tracer } from "../../kit/telemetry/tracing.js";
import { SourceSkippedError } from "./candidate-source.js";
import type { SourceContext, SourceItem, SourceReport, UserProfile } from "./candidate-types.js";
import type { SourceRegistration } from "./source-registry.js";

/** One source's outcome in one call. */
export interface SourceRun {
  registration: SourceRegistration;
  report: SourceReport;
  items: SourceItem[];
  /** Set when the source failed (status "failed"): the cause, for logging and for sources that do not fail open. */
  error?: unknown;
}

export interface RunSettings {
  user: UserProfile;
  context: SourceContext;
  /** Items to ask each source for. */
  k: number;
  /** Aborted when the call is cancelled or its deadline passes. */
  signal: AbortSignal;
}

/**
 * Runs every source concurrently, each under its own time budget (cut to the
 * call's deadline), and yields each outcome as soon as that source finishes or
 * is cut off. A source past its budget is aborted and reported TIMED_OUT; its
 * late answer is ignored.
 */
export async function* runSources(registrations: readonly SourceRegistration[], settings: RunSettings): AsyncGenerator<SourceRun> {
  const pending = new Map(registrations.map((r, i) => [i, runOne(r, settings).then((run) => ({ i, run }))]));
  while (pending.size > 0) {
    const { i, run } = await Promise.race(pending.values());
    pending.delete(i);
    yield run;
  }
}

async function runOne(registration: SourceRegistration, settings: RunSettings): Promise<SourceRun> {
  const { source } = registration;
  const started = performance.now();
  const budgetMs = Math.max(0, Math.min(registration.budgetMs, settings.context.deadline - Date.now()));
  const controller = new AbortController();
  const onCallAbort = () => controller.abort(settings.signal.reason);
  settings.signal.addEventListener("abort", onCallAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const cutOff = new Promise<"cut off">((resolve) => {
    timer = setTimeout(() => resolve("cut off"), budgetMs);
  });
  const span = tracer.startSpan(`candidate.source.${source.id}`, { attributes: { "candidate.source": source.id, "candidate.k": settings.k } });
  const report = (status: SourceReport["status"], reason: string, items: SourceItem[], error?: unknown): SourceRun => {
    span.setAttribute("candidate.status", status);
    span.setAttribute("candidate.returned", items.length);
    if (status === "failed" || status === "timed_out") span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    const latencyMs = performance.now() - started;
    return { registration, report: { source: source.id, status, reason, returned: items.length, latencyMs }, items, error };
  };
  try {
    if (settings.signal.aborted) return report("failed", "call cancelled before the source ran", [], settings.signal.reason);
    const context = { ...settings.context, deadline: Math.min(settings.context.deadline, Date.now() + budgetMs) };
    const fetched = otelContext.with(trace.setSpan(otelContext.active(), span), () =>
      source.fetch(settings.user, context, settings.k, controller.signal),
    );
    fetched.catch(() => undefined);
    const outcome = await Promise.race([fetched, cutOff]);
    if (outcome === "cut off") {
      const reason = `exceeded its ${registration.budgetMs} ms budget`;
      controller.abort(new DeadlineExceededError(`${source.id} ${reason}`));
      return report("timed_out", reason, []);
    }
    return report("ok", "", outcome);
  } catch (err) {
    if (err instanceof SourceSkippedError) return report("skipped", err.message, []);
    return report("failed", failureReason(err), [], err);
  } finally {
    clearTimeout(timer);
    settings.signal.removeEventListener("abort", onCallAbort);
    span.end();
  }
}

/** A reason safe to return to the caller: known errors say what happened, anything else stays generic. */
function failureReason(err: unknown): string {
  return err instanceof RecmeshError ? err.message : "internal error";
}
