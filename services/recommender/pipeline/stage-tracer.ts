import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { tracer } from "../../kit/telemetry/tracing.js";
import type { RemovedItem, StageTrace } from "./types.js";

/** Records each pipeline stage as a span (child of the request span) and as a StageTrace for explain. */
export class StageTracer {
  readonly stages: StageTrace[] = [];

  async run<T>(
    stage: string,
    inputCount: number,
    work: (notes: string[]) => Promise<T>,
    describe: (result: T) => { outputCount: number; removed?: RemovedItem[]; attributes?: Record<string, string | number> },
  ): Promise<T> {
    const started = performance.now();
    const notes: string[] = [];
    return tracer.startActiveSpan(`recommend.${stage}`, async (span: Span) => {
      try {
        const result = await work(notes);
        const d = describe(result);
        span.setAttributes({ "recmesh.input_count": inputCount, "recmesh.output_count": d.outputCount, ...d.attributes });
        for (const n of notes) span.addEvent(n);
        this.stages.push({
          stage,
          durationMs: performance.now() - started,
          inputCount,
          outputCount: d.outputCount,
          removed: d.removed ?? [],
          notes,
        });
        return result;
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    });
  }
}
