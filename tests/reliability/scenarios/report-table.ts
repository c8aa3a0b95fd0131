import type { ScenarioResult } from "./scenario.js";

/** A Markdown table (first row the header), columns padded so it also reads well in a terminal. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)];
}

/** The per-scenario report: counts, the scenario's own measurements, every check. */
export function scenarioTable(r: ScenarioResult): string[] {
  const l = r.load;
  const e = r.events;
  const failed = Object.entries(l.failedByCode).map(([code, n]) => `${n} ${code}`).join(", ");
  const degradedBy = Object.entries(l.degradedBy).map(([c, n]) => `${n} ${c}`).join(", ");
  const rows: string[][] = [
    ["measure", "value"],
    ["duration", `${(r.durationMs / 1000).toFixed(1)} s`],
    ["Recommend sent / answered / degraded / failed", `${l.sent} / ${l.answered} / ${l.degraded} / ${l.failed}${failed ? ` (${failed})` : ""}`],
    ["degraded answers by component", degradedBy || "none"],
    ["slowest call / past deadline+slack", `${l.maxLatencyMs} ms / ${l.overdue}`],
    ["Track events / acked / found in EVENTS / lost", `${l.tracks} / ${e.tracked} / ${e.found} / ${e.lost}`],
    ["Track attempts (failed, retried)", `${l.trackAttempts} (${l.trackFailedAttempts})`],
    ["stored unacked / duplicates / counter mismatches", `${e.storedUnacked} / ${e.duplicates} / ${e.counterMismatches.length}`],
  ];
  if (r.exposures) rows.push(["exposures delivered", `${r.exposures.found} / ${r.exposures.expected}`]);
  for (const [k, v] of Object.entries(r.facts)) rows.push([k, v]);
  for (const c of r.checks) rows.push([`${c.ok ? "PASS" : "FAIL"} ${c.name}`, c.detail]);
  return [`### ${r.name} — ${passed(r) ? "PASS" : "FAIL"}`, "", ...table(rows)];
}

/** One line per scenario: the table RELIABILITY.md carries. */
export function summaryTable(results: readonly ScenarioResult[]): string[] {
  const rows = [
    ["scenario", "Recommend sent", "answered", "degraded", "failed", "past deadline", "tracked", "found", "lost", "exposures", "crashed", "checks"],
    ...results.map((r) => [
      r.name,
      String(r.load.sent),
      String(r.load.answered),
      String(r.load.degraded),
      r.load.failed === 0 ? "0" : `${r.load.failed} (${Object.entries(r.load.failedByCode).map(([c, n]) => `${n} ${c}`).join(", ")})`,
      String(r.load.overdue),
      String(r.events.tracked),
      String(r.events.found),
      String(r.events.lost),
      r.exposures ? `${r.exposures.found}/${r.exposures.expected}` : "–",
      r.checks.find((c) => c.name.startsWith("no service crashed"))?.ok ? "0" : "yes",
      `${r.checks.filter((c) => c.ok).length}/${r.checks.length}`,
    ]),
  ];
  return table(rows);
}

export function passed(r: ScenarioResult): boolean {
  return r.checks.every((c) => c.ok);
}
