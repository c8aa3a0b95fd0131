import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const BEGIN = "<!-- bench-suite:begin -->";
export const END = "<!-- bench-suite:end -->";
const HEADING = "## Benchmark suite (`npm run bench`)";

/**
 * Puts `body` between the suite's markers in BENCHMARKS.md: replaced in place
 * when they are there, appended under the suite's heading when not. Every
 * other section of the file is left as it was.
 */
export function writeSuiteSection(path: string, body: string): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  const block = `${BEGIN}\n${body.trimEnd()}\n${END}`;
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${HEADING}\n\n${block}\n`;
  writeFileSync(path, next);
}
