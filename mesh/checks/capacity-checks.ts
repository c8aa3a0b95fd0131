/** One row of the capacity plan's inputs table. */
export interface CapacityInput {
  symbol: string;
  kind: string;
  asMeasured: string;
  source: string;
}

/** Rows of the first markdown table after the "## Inputs" heading. */
export function capacityInputs(plan: string): CapacityInput[] {
  const section = plan.split(/^## Inputs\s*$/m)[1]?.split(/^## /m)[0] ?? "";
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.slice(1, -1).split("|").map((cell) => cell.trim()));
  const [header, , ...body] = rows;
  if (!header) return [];
  const column = (name: string) => header.indexOf(name);
  const [symbol, kind, asMeasured, source] = ["symbol", "kind", "as measured / stated", "source"].map(column);
  return body.map((cells) => ({
    symbol: cells[symbol ?? 0] ?? "",
    kind: cells[kind ?? 0] ?? "",
    asMeasured: cells[asMeasured ?? 0] ?? "",
    source: cells[source ?? 0] ?? "",
  }));
}

/** Numbers as written in the text (thousands separators kept), e.g. "682,221", "0.28". */
export function numbersIn(text: string): string[] {
  return [...text.matchAll(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g)].map((m) => m[0]);
}

function containsNumber(text: string, n: string): boolean {
  const escaped = n.replace(/[.,]/g, (c) => `\\${c}`);
  return new RegExp(`(?<![\\d.,])${escaped}(?![\\d]|[.,]\\d)`).test(text);
}

/** Section names cited as "§ Name" (up to a ";", " (" or the end of the cell). */
export function citedSections(source: string): string[] {
  return [...source.matchAll(/§ ([^;(]+?)(?=;| \(|$)/g)].map((m) => (m[1] ?? "").trim());
}

/** Commands cited in backticks. */
export function citedCommands(source: string): string[] {
  return [...source.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
}

/** 2 for a "## " heading, 3 for "### ", undefined for any other line. */
function headingLevel(line: string): number | undefined {
  return /^(#{2,3}) /.exec(line)?.[1]?.length;
}

/** Each "## " or "### " section of a markdown file: its heading and its text up to the next heading of the same or a higher level. */
function sectionsOf(markdown: string): { heading: string; text: string }[] {
  const lines = markdown.split("\n");
  const sections: { heading: string; text: string }[] = [];
  lines.forEach((line, i) => {
    const level = headingLevel(line);
    if (level === undefined) return;
    const end = lines.findIndex((l, j) => j > i && (headingLevel(l) ?? Infinity) <= level);
    sections.push({ heading: line.replace(/^#+ /, ""), text: lines.slice(i, end === -1 ? undefined : end).join("\n") });
  });
  return sections;
}

/**
 * What a measured input claims that the benchmarks file does not hold: a
 * number of its "as measured" cell that none of the sections it cites holds
 * (so a figure quoted elsewhere, say in a comparison with an older run, does
 * not count), a cited section heading or a command.
 */
export function unbackedClaims(input: CapacityInput, benchmarks: string): string[] {
  const sections = sectionsOf(benchmarks);
  const problems: string[] = [];
  const cited = citedSections(input.source);
  if (cited.length === 0) problems.push(`${input.symbol}: cites no BENCHMARKS.md section`);
  const matching = cited.map((name) => {
    const found = sections.filter((s) => s.heading.startsWith(name));
    if (found.length === 0) problems.push(`${input.symbol}: no section "${name}" in BENCHMARKS.md`);
    return found.map((s) => s.text).join("\n");
  });
  const citedText = matching.join("\n");
  for (const n of numbersIn(input.asMeasured)) {
    if (!containsNumber(citedText, n)) problems.push(`${input.symbol}: ${n} is not in the BENCHMARKS.md sections it cites`);
  }
  for (const c of citedCommands(input.source)) {
    if (!benchmarks.includes(c)) problems.push(`${input.symbol}: command \`${c}\` is not in BENCHMARKS.md`);
  }
  return problems;
}
