import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { WORLD_PRESET_NAMES, resolveWorldOptions, worldEndForNow, type WorldOptions, type WorldPreset } from "../../world/index.js";
import { loadCliConfig } from "../cli-config.js";
import { integerOption, timeOption } from "../publishing/cli-numbers.js";
import { failUsage } from "../publishing/usage-error.js";
import { describeSeed, seedWorld, worldDir } from "../seed/seed-world.js";

interface SeedOptions {
  seed: number;
  preset: WorldPreset;
  items?: number;
  users?: number;
  days?: number;
  end?: number;
  dataDir: string;
  window: number;
  progress: boolean;
}

export function registerSeedCommand(program: Command): void {
  program
    .command("seed")
    .description("generate the synthetic world, write its ground truth and publish its catalog and history to the EVENTS stream (NATS_URL)")
    .option("--seed <n>", "world seed: same seed (and options) → same world", integerOption, 42)
    .addOption(new Option("--preset <name>", "world size").choices(WORLD_PRESET_NAMES).default("default"))
    .option("--items <n>", "catalog size (overrides the preset)", integerOption)
    .option("--users <n>", "user count (overrides the preset)", integerOption)
    .option("--days <n>", "days of history, the last one held out (overrides the preset)", integerOption)
    .option("--end <time>", "end of the history, ISO-8601 (default: now, rounded down to the hour)", timeOption)
    .option("--data-dir <dir>", "ground truth goes to <data-dir>/world/<seed>", ".data")
    .option("--window <n>", "publishes awaiting their ack at most", integerOption, 256)
    .option("--no-progress", "no progress bars")
    .action(async (options: SeedOptions) => {
      const config = loadCliConfig();
      let world: WorldOptions;
      try {
        world = resolveWorldOptions({
          preset: options.preset,
          seed: options.seed,
          items: options.items,
          users: options.users,
          days: options.days,
          endTime: worldEndForNow(options.end),
        });
      } catch (err) {
        failUsage(err instanceof Error ? err.message : String(err));
        return;
      }
      const report = await seedWorld({
        nats: config.nats,
        streams: config.streams,
        world,
        dir: worldDir(resolve(options.dataDir), world.seed),
        window: Math.max(1, options.window),
        progress: options.progress,
      });
      for (const line of describeSeed(report)) process.stdout.write(`${line}\n`);
    });
}
