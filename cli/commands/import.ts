import { Option, type Command } from "commander";
import { loadCliConfig } from "../cli-config.js";
import { INTERACTION_TYPE_NAMES, parseType, type ImportedInteractionType } from "../import/field-parsers.js";
import { ImportSetupError } from "../import/import-errors.js";
import { describeImport, runImport } from "../import/run-import.js";
import type { SourceFormat } from "../import/record-source.js";
import { integerOption } from "../publishing/cli-numbers.js";
import { failUsage } from "../publishing/usage-error.js";

interface ImportOptions {
  items?: string;
  interactions?: string;
  format?: SourceFormat;
  map: string[];
  source: string;
  type: string;
  tagSeparator: string;
  dryRun: boolean;
  window: number;
  progress: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerImportCommand(program: Command): void {
  program
    .command("import")
    .description(
      "publish a real catalog and interaction log (CSV or JSONL; MovieLens movies.csv / ratings.csv work as they are) as item and interaction events (NATS_URL); bad rows are reported with file:line and column, and skipped",
    )
    .option("--items <file>", "catalog: item_id, category, tags, embedding; other columns become attributes")
    .option("--interactions <file>", "interaction log: user_id, item_id, timestamp, type, value; other columns become attributes")
    .addOption(new Option("--format <format>", "format of both files (default: from each extension)").choices(["csv", "jsonl"]))
    .option("--map <field=column>", "read a field from a named column; items.<field>=… or interactions.<field>=… for one file (repeatable)", collect, [])
    .option("--source <name>", "names the data set in event ids (re-importing it is de-duplicated)", "import")
    .option("--type <type>", `interaction type when the file has no type column (${INTERACTION_TYPE_NAMES.join(", ")})`, "rating")
    .option("--tag-separator <sep>", "separator of tags within one CSV cell", "|")
    .option("--dry-run", "read and check everything, publish nothing", false)
    .option("--window <n>", "publishes awaiting their ack at most", integerOption, 256)
    .option("--no-progress", "no progress bars")
    .action(async (options: ImportOptions) => {
      const config = loadCliConfig();
      try {
        const report = await runImport({
          itemsPath: options.items,
          interactionsPath: options.interactions,
          format: options.format,
          maps: options.map,
          source: options.source,
          defaultType: defaultType(options.type),
          tagSeparator: options.tagSeparator,
          dryRun: options.dryRun,
          nats: config.nats,
          streams: config.streams,
          window: Math.max(1, options.window),
          progress: options.progress,
        });
        for (const line of describeImport(report)) process.stdout.write(`${line}\n`);
      } catch (err) {
        if (!(err instanceof ImportSetupError)) throw err;
        failUsage(err.message);
      }
    });
}

function defaultType(name: string): ImportedInteractionType {
  try {
    return parseType(name);
  } catch (err) {
    throw new ImportSetupError(`--type ${JSON.stringify(name)} ${err instanceof Error ? err.message : String(err)}`);
  }
}
