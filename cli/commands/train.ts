import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import type { Command } from "commander";
import { resolveWorldOptions, WORLD_PRESET_NAMES, type WorldPreset } from "../../world/index.js";
import { buildTrainingData } from "../training/build-training-data.js";

interface TrainOptions {
  seed: string;
  preset: WorldPreset;
  end: string;
  labelDays: string;
  data: string;
  out: string;
  version: string;
  epochs: string;
  python: string;
  dataOnly: boolean;
  progress: boolean;
}

/**
 * Reproducible training of the demo ranking model: the synthetic world (fixed
 * seed and end time) → a training set built through the real feature service →
 * PyTorch (Debian's python3-torch) → ONNX + manifest in the model directory.
 */
export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("train the demo ranking model on the synthetic world and write it (model.onnx + manifest.json) to a model directory")
    .option("--seed <n>", "world seed", "42")
    .option("--preset <name>", `world size (${WORLD_PRESET_NAMES.join(", ")})`, "default")
    .option("--end <iso>", "end of the world's history (fixed for reproducibility)", "2026-01-01T00:00:00Z")
    .option("--label-days <n>", "days before the held-out slice whose interactions are the labels", "2")
    .option("--data <dir>", "where the training set is written", ".data/train")
    .option("--out <dir>", "model directory to write", "models/ctr-mlp")
    .option("--version <v>", "model version", "1")
    .option("--epochs <n>", "training epochs", "6")
    .option("--python <path>", "python with torch and onnx (Debian: apt-get install python3-torch python3-onnx)", "/usr/bin/python3")
    .option("--data-only", "build the training set and stop", false)
    .option("--no-progress", "no progress bars")
    .action(async (o: TrainOptions) => {
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const world = resolveWorldOptions({ seed: Number(o.seed), preset: o.preset, endTime: Date.parse(o.end) });
      await buildTrainingData({ world, labelDays: Number(o.labelDays), out: resolve(o.data), say, progress: o.progress });
      if (o.dataOnly) return;
      const probe = spawnSync(o.python, ["-c", "import torch, onnx"], { encoding: "utf8" });
      if (probe.status !== 0) {
        throw new Error(`${o.python} cannot import torch and onnx; on Debian: apt-get install -y python3-torch python3-onnx\n${probe.stderr}`);
      }
      const script = resolve("models/train/train_ranker.py");
      const run = spawnSync(o.python, [script, "--data", resolve(o.data), "--out", resolve(o.out), "--version", o.version, "--epochs", o.epochs], {
        stdio: "inherit",
      });
      if (run.status !== 0) throw new Error(`training failed with exit code ${run.status}`);
    });
}
