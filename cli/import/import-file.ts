import type { EventPublisher } from "../../services/kit/events/event-publisher.js";
import type { ProtoCodec } from "../../services/kit/events/proto-codec.js";
import { EVENTS_STREAM } from "../../services/kit/events/subjects.js";
import type { Progress } from "../publishing/progress.js";
import { sendAll, type OutgoingEvent } from "../publishing/publish-all.js";
import { PublishWindow, type PublishTally } from "../publishing/publish-window.js";
import { planColumns, type ColumnOverrides, type ColumnPlan, type FIELDS, type FileKind } from "./column-mapping.js";
import { ImportSetupError, describeBadRow, type BadRow } from "./import-errors.js";
import { countDataLines, readEntries, type SourceFormat, type SourceRecord } from "./record-source.js";
import { isBadRow } from "./row-mapper.js";

/** Events handed to the window at once, so their sends share socket writes. */
const BATCH = 256;

export interface FileOutcome {
  path: string;
  /** Rows read (bad ones included), header excluded. */
  rows: number;
  accepted: number;
  skipped: number;
  /** What the stream stored (absent in a dry run). */
  published?: PublishTally;
}

type FieldOf<K extends FileKind> = keyof (typeof FIELDS)[K] & string;

export interface ImportFileSpec<K extends FileKind, R extends object, T> {
  path: string;
  kind: K;
  format: SourceFormat;
  overrides: ColumnOverrides;
  codec: ProtoCodec<T>;
  /** Extra checks of the column plan, before any row is read. */
  checkPlan?: (plan: ColumnPlan<FieldOf<K>>) => void;
  map: (record: SourceRecord, plan: ColumnPlan<FieldOf<K>>) => R | BadRow;
  /** Checks against the rest of the import (duplicates, unknown items); a problem makes the row bad. */
  check?: (row: R, line: number) => { field: FieldOf<K>; value: string; reason: string } | undefined;
  toEvent: (row: R) => OutgoingEvent<T>;
  /** Absent in a dry run. */
  publisher?: EventPublisher;
  window?: number;
  progress: Progress;
  onBadRow: (line: string) => void;
}

/** Reads one file row by row: maps and checks each row, publishes the good ones, reports and skips the bad ones. */
export async function importFile<K extends FileKind, R extends object, T>(spec: ImportFileSpec<K, R, T>): Promise<FileOutcome> {
  const { path, format } = spec;
  let plan: ColumnPlan<FieldOf<K>> | undefined;
  const entries = readEntries(path, path, format, (header) => {
    plan = planColumns(spec.kind, path, header, spec.overrides, format === "csv");
    spec.checkPlan?.(plan);
  });
  const bar = spec.progress.bar(spec.kind, await countDataLines(path, format).catch(() => 0));
  const window = spec.publisher ? new PublishWindow(spec.publisher, EVENTS_STREAM, { limit: spec.window, onAck: () => bar.increment() }) : undefined;
  const outcome: FileOutcome = { path, rows: 0, accepted: 0, skipped: 0 };
  const skip = (bad: BadRow) => {
    outcome.skipped++;
    bar.increment();
    spec.onBadRow(describeBadRow(bad));
  };
  let batch: OutgoingEvent<T>[] = [];
  for await (const entry of entries) {
    outcome.rows++;
    if (entry.kind === "bad") {
      skip(entry.bad);
      continue;
    }
    if (!plan) throw new ImportSetupError(`${path}: no header`);
    const row = spec.map(entry.record, plan);
    if (isBadRow(row)) {
      skip(row);
      continue;
    }
    const problem = spec.check?.(row, entry.record.line);
    if (problem) {
      skip({ file: path, line: entry.record.line, column: plan.fields[problem.field], value: problem.value, reason: problem.reason });
      continue;
    }
    outcome.accepted++;
    if (!window) {
      bar.increment();
      continue;
    }
    batch.push(spec.toEvent(row));
    if (batch.length >= BATCH) {
      await sendAll(window, spec.codec, batch);
      batch = [];
    }
  }
  if (window) {
    await sendAll(window, spec.codec, batch);
    outcome.published = await window.flush();
  }
  return outcome;
}
