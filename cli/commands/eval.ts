import { resolve } from "node:path";
import type { Command } from "commander";
import { resolveWorldOptions, WORLD_PRESET_NAMES, type WorldPreset } from "../../world/index.js";
import { evaluateOffline } from "../evaluation/offline-eval.js";

interface EvalCliOptions {
  seed: string;
  preset: WorldPreset;
  end: string;
  model: string;
  k: string;
  candidates: string;
  users: string;
  progress: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command("eval")
    .description("offline NDCG@k and recall@k of the candidate → rank pipeline on the world's held-out day, against popularity and random order")
    .option("--seed <n>", "world seed (the demo model was trained on 42)", "42")
    .option("--preset <name>", `world size (${WORLD_PRESET_NAMES.join(", ")})`, "default")
    .option("--end <iso>", "end of the world's history (the demo model's training world ends here)", "2026-01-01T00:00:00Z")
    .option("--model <dir>", "model directory to evaluate", "models/ctr-mlp")
    .option("--k <n>", "cut-off of the ranking metrics", "10")
    .option("--candidates <n>", "candidates retrieved per user", "500")
    .option("--users <n>", "evaluate at most this many users", "100000")
    .option("--no-progress", "no progress bars")
    .action(async (o: EvalCliOptions) => {
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const k = Number(o.k);
      const r = await evaluateOffline({
        world: resolveWorldOptions({ seed: Number(o.seed), preset: o.preset, endTime: Date.parse(o.end) }),
        modelDir: resolve(o.model),
        k,
        candidates: Number(o.candidates),
        maxUsers: Number(o.users),
        say,
        progress: o.progress,
      });
      const row = (name: string, m: { ndcg: number; recall: number }) => `| ${name} | ${m.ndcg.toFixed(4)} | ${m.recall.toFixed(4)} |`;
      say("");
      say(`${r.users} users with held-out engagements; candidate recall@${o.candidates} ${r.candidateRecall.toFixed(4)}; model ${r.modelName}`);
      say(`| ordering of the same ${o.candidates} candidates | NDCG@${k} | recall@${k} |`);
      say("|---|---|---|");
      say(row(`ranking model (${r.modelName})`, r.model));
      say(row("popularity (item_stats:popularity)", r.popularity));
      say(row("random", r.random));
      say(`model / popularity NDCG@${k}: ${(r.model.ndcg / Math.max(1e-12, r.popularity.ndcg)).toFixed(2)}×`);
    });
}
