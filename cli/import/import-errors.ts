/** The import cannot start or go on (unreadable file, missing required column, bad --map): one line for the user. */
export class ImportSetupError extends Error {
  override name = "ImportSetupError";
}

/** Where a bad row is and why it was skipped. */
export interface BadRow {
  file: string;
  line: number;
  /** The column (CSV: name and 1-based number; JSONL: field name), when one value is at fault. */
  column?: { name: string; number?: number };
  /** The offending value as read. */
  value?: string;
  reason: string;
}

/** "ratings.csv:7: column 3 (rating): value "abc" is not a number; row skipped". */
export function describeBadRow(bad: BadRow): string {
  const where = bad.column
    ? bad.column.number !== undefined
      ? ` column ${bad.column.number} (${bad.column.name}):`
      : ` field "${bad.column.name}":`
    : "";
  const value = bad.value !== undefined ? ` value ${JSON.stringify(bad.value.length > 80 ? `${bad.value.slice(0, 80)}…` : bad.value)}` : "";
  return `${bad.file}:${bad.line}:${where}${value} ${bad.reason}; row skipped`;
}
