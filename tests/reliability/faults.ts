import { cpus, hostname } from "node:os";
import { Command } from "commander";
import { passed, scenarioTable, summaryTable } from "./scenarios/report-table.js";
import { runSuite, SCENARIOS, scenarioNamed } from "./scenarios/suite.js";
import { FULL, REDUCED } from "./scenarios/suite-settings.js";

interface FaultsOptions {
  full: boolean;
  scenario: string[];
  keep: boolean;
}

/**
 * The fault-injection suite in full (`npm run faults -- --full`) or for chosen
 * scenarios; its short form also runs in `npm test`. A development tool: it lives
 * with the tests, not in the shipped CLI.
 */
await new Command()
  .name("faults")
  .description("fault-injection suite: kill/restart services, NATS and Redis, slow ranking, overload — all under load on a local stack")
  .option("--full", "the long form (tens of seconds of load per scenario, larger world); default is the short CI form", false)
  .option("--scenario <name>", `run only this scenario (repeatable): ${SCENARIOS.map((s) => s.name).join(", ")}`, (v: string, acc: string[]) => [...acc, v], [])
  .option("--keep", "keep the stack's data directory (service logs, stores) afterwards", false)
  .action((options: FaultsOptions) => runFaults(options))
  .parseAsync(process.argv);

async function runFaults(options: FaultsOptions): Promise<void> {
  const settings = options.full ? FULL : REDUCED;
  const scenarios = options.scenario.length > 0 ? options.scenario.map(scenarioNamed) : SCENARIOS;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const started = new Date();
  say(`recmesh faults (${options.full ? "full" : "reduced"}) — ${started.toISOString()} on ${hostname()}, ${cpus().length} CPUs, Node ${process.version}`);
  const results = await runSuite(settings, scenarios, (line) => say(`  ${line}`), (result) => {
    say("");
    for (const line of scenarioTable(result)) say(line);
    say("");
  }, options.keep);
  say(`## Summary (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
  say("");
  for (const line of summaryTable(results)) say(line);
  const failed = results.filter((r) => !passed(r));
  if (failed.length > 0) {
    say(`\nFAILED: ${failed.map((r) => r.name).join(", ")}`);
    process.exitCode = 1;
  }
}
