/**
 * Candidate retrieval quality (not a test): recall@k of each source alone, of
 * the merged set and of random retrieval, on the synthetic world's held-out
 * interactions (the last day, never published). The world's catalog and
 * training history go through JetStream into the real feature and candidate
 * services; each user with held-out clicks, carts or purchases is then asked
 * for k candidates. Every method drops the items the user interacted with in
 * training (the service does so; random retrieval is given the same rule).
 *
 *   node --import tsx bench/candidate-recall.ts [--preset default] [--seed 42] [--k 500]
 */
import { parseArgs } from "node:util";
import { GenerateRequest, SourceStatus } from "../gen/recmesh/candidate/v1/candidate_service.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import { Rng } from "../world/prng.js";
import {
  WORLD_PRESET_NAMES,
  readHeldout,
  readWorldInteractions,
  readWorldItems,
  recallAtK,
  relevantItemsByUser,
  resolveWorldOptions,
  worldEndForNow,
  type WorldPreset,
} from "../world/index.js";
import { say, startBenchStack } from "./candidate-bench-stack.js";

const { values: args } = parseArgs({
  options: {
    preset: { type: "string", default: "default" },
    seed: { type: "string", default: "42" },
    k: { type: "string", default: "500" },
  },
});
if (!WORLD_PRESET_NAMES.includes(args.preset as WorldPreset)) throw new Error(`--preset must be one of ${WORLD_PRESET_NAMES.join(", ")}`);
const K = Number(args.k);
const SOURCES = ["embedding_ann", "co_visitation", "popularity"];

/** k distinct random catalog items the user has not interacted with. */
function randomRetrieval(rng: Rng, catalog: readonly string[], seen: ReadonlySet<string>, k: number): string[] {
  const picked = new Set<string>();
  while (picked.size < Math.min(k, catalog.length - seen.size)) {
    const id = catalog[rng.int(catalog.length)] as string;
    if (!seen.has(id)) picked.add(id);
  }
  return [...picked];
}

async function main(): Promise<void> {
  const world = resolveWorldOptions({ preset: args.preset as WorldPreset, seed: Number(args.seed), endTime: worldEndForNow() });
  const stack = await startBenchStack(world);
  try {
    const catalog = readWorldItems(stack.worldDir).map((i) => i.id);
    const seenBy = new Map<string, Set<string>>();
    for (const i of readWorldInteractions(stack.worldDir)) {
      if (!seenBy.has(i.userId)) seenBy.set(i.userId, new Set());
      seenBy.get(i.userId)?.add(i.itemId);
    }
    const relevant = relevantItemsByUser(readHeldout(stack.worldDir));
    const methods = ["merged", ...SOURCES, "random"];
    const sums = new Map(methods.map((m) => [m, 0]));
    const answered = new Map(SOURCES.map((s) => [s, 0]));
    const rng = new Rng(world.seed, "candidate-recall-random");
    const generate = (userId: string, sources: string[]) =>
      unaryCall(stack.client.generate.bind(stack.client), GenerateRequest.fromPartial({ userId, k: K, sources }), { deadline: Date.now() + 10_000 });

    for (const [userId, items] of relevant) {
      const merged = await generate(userId, []);
      sums.set("merged", (sums.get("merged") ?? 0) + recallAtK(merged.candidates.map((c) => c.itemId), items, K));
      for (const source of SOURCES) {
        const alone = await generate(userId, [source]);
        sums.set(source, (sums.get(source) ?? 0) + recallAtK(alone.candidates.map((c) => c.itemId), items, K));
        if (alone.sources[0]?.status === SourceStatus.SOURCE_STATUS_OK) answered.set(source, (answered.get(source) ?? 0) + 1);
      }
      const random = randomRetrieval(rng, catalog, seenBy.get(userId) ?? new Set(), K);
      sums.set("random", (sums.get("random") ?? 0) + recallAtK(random, items, K));
    }

    const users = relevant.size;
    say("");
    say(`world seed ${world.seed} (${args.preset}): ${catalog.length} items, ${world.users} users; ${users} users with held-out clicks/carts/purchases`);
    say("");
    say(`| retrieval (k=${K}) | mean recall@${K} | source answered for |`);
    say("|---|---|---|");
    for (const m of methods) {
      const share = answered.has(m) ? `${(((answered.get(m) ?? 0) / users) * 100).toFixed(1)} % of users` : "";
      say(`| ${m} | ${((sums.get(m) ?? 0) / users).toFixed(4)} | ${share} |`);
    }
  } finally {
    await stack.stop();
  }
}

await main();
