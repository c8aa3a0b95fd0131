import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parse, type CsvError } from "csv-parse";
import { ImportSetupError, type BadRow } from "./import-errors.js";

export type SourceFormat = "csv" | "jsonl";

/** One data row: values by column name. */
export interface SourceRecord {
  line: number;
  values: Map<string, unknown>;
}

export type SourceEntry = { kind: "record"; record: SourceRecord } | { kind: "bad"; bad: BadRow };

/** The format named by the option, else by the file extension (.jsonl/.ndjson/.json → jsonl, else csv). */
export function formatOf(path: string, explicit?: SourceFormat): SourceFormat {
  return explicit ?? (/\.(jsonl|ndjson|json)$/i.test(path) ? "jsonl" : "csv");
}

async function ensureReadable(path: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new ImportSetupError(`cannot read ${path}: no such file`);
  }
}

function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** First line of a record that ends on line `lastLine` (csv-parse counts the line after a final newline). */
function startLine(lastLine: number, raw: string): number {
  return lastLine - Math.max(0, newlines(raw) - (raw.endsWith("\n") ? 1 : 0));
}

/**
 * CSV rows (header first) keyed by header name. A row with the wrong number of
 * columns or broken quoting is yielded as a bad row, never dropped; a stray
 * quote inside a field is kept in its value (relax_quotes), so the field is
 * reported by column; a quote never closed swallows the rest of the file,
 * which is reported as one bad row with its line span.
 */
async function* csvEntries(path: string, file: string, onHeader: (columns: string[]) => void): AsyncGenerator<SourceEntry> {
  const skipped: BadRow[] = [];
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      raw: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (err: CsvError | undefined, raw: string | undefined) => {
        const text = raw ?? "";
        const last = Number((err as (CsvError & { lines?: number }) | undefined)?.lines ?? 0);
        const first = startLine(last, text);
        const lastContent = first + Math.max(0, newlines(text.replace(/\n$/, "")));
        const span = lastContent > first ? `; lines ${first}–${lastContent}` : "";
        skipped.push({ file, line: first, reason: `malformed CSV (${err?.message ?? "unreadable row"}${span})` });
        return undefined;
      },
    }),
  );
  let header: string[] | undefined;
  for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
    for (const bad of skipped.splice(0)) yield { kind: "bad", bad };
    const line = startLine(info.lines, raw);
    if (!header) {
      header = record.map((name) => name.trim());
      onHeader(header);
      continue;
    }
    if (record.length !== header.length) {
      yield { kind: "bad", bad: { file, line, reason: `expected ${header.length} columns (${header.join(",")}), got ${record.length}` } };
      continue;
    }
    const values = new Map<string, unknown>();
    header.forEach((name, i) => values.set(name, record[i]));
    yield { kind: "record", record: { line, values } };
  }
  for (const bad of skipped.splice(0)) yield { kind: "bad", bad };
  if (!header) onHeader([]);
}

/** JSON Lines: one object per line; the first object's keys are the columns. */
async function* jsonlEntries(path: string, file: string, onHeader: (columns: string[]) => void): AsyncGenerator<SourceEntry> {
  let line = 0;
  let sawHeader = false;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      yield { kind: "bad", bad: { file, line, reason: `not valid JSON (${err instanceof Error ? err.message : String(err)})` } };
      continue;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      yield { kind: "bad", bad: { file, line, reason: "not a JSON object" } };
      continue;
    }
    if (!sawHeader) {
      sawHeader = true;
      onHeader(Object.keys(parsed));
    }
    yield { kind: "record", record: { line, values: new Map(Object.entries(parsed)) } };
  }
  if (!sawHeader) onHeader([]);
}

/**
 * Rows of a CSV or JSONL file, with line numbers. `onHeader` receives the
 * column names before the first row is yielded (an empty list for an empty file).
 */
export async function* readEntries(path: string, file: string, format: SourceFormat, onHeader: (columns: string[]) => void): AsyncGenerator<SourceEntry> {
  await ensureReadable(path);
  yield* format === "csv" ? csvEntries(path, file, onHeader) : jsonlEntries(path, file, onHeader);
}

/** Data lines of a file (line count minus the CSV header), for progress totals. */
export async function countDataLines(path: string, format: SourceFormat): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1] ?? 10;
  }
  if (last !== 10) lines++;
  return Math.max(0, format === "csv" ? lines - 1 : lines);
}
