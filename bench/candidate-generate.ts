/**
 * Candidate service latency benchmark (not a test): Generate with k=500 and
 * every source (embedding ANN over the whole catalog, co-visitation,
 * popularity, merge) over a catalog of 100k items, measured from a client in
 * its own process against the service in another, with the feature service,
 * nats-server and redis-server real and running; then how long a new item's
 * event takes to make it retrievable by ANN (candidate-ann-freshness.ts).
 *
 *   node --import tsx bench/candidate-generate.ts [--items 100000] [--users 2000] [--iterations 2000] [--fresh-items 200]
 */
import { parseArgs } from "node:util";
import * as hdr from "hdr-histogram-js";
import { GenerateRequest, SourceStatus, type GenerateResponse } from "../gen/recmesh/candidate/v1/candidate_service.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import { readWorldInteractions, resolveWorldOptions, worldEndForNow } from "../world/index.js";
import { measureAnnFreshness } from "./candidate-ann-freshness.js";
import { say, startBenchStack } from "./candidate-bench-stack.js";

const { values: args } = parseArgs({
  options: {
    items: { type: "string", default: "100000" },
    users: { type: "string", default: "2000" },
    iterations: { type: "string", default: "2000" },
    k: { type: "string", default: "500" },
    "fresh-items": { type: "string", default: "200" },
  },
});
const ITERATIONS = Number(args.iterations);
const K = Number(args.k);
const WARMUP = 200;

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;

async function main(): Promise<void> {
  const world = resolveWorldOptions({ preset: "large", items: Number(args.items), users: Number(args.users), endTime: worldEndForNow() });
  const stack = await startBenchStack(world);
  try {
    const metrics = await (await fetch(`http://127.0.0.1:${stack.candidateAdminPort}/metrics`)).text();
    const indexed = /^recmesh_candidate_index_items\{[^}]*\} (\d+)/m.exec(metrics)?.[1];
    say(`candidate index: ${indexed} items with embeddings`);
    const users = [...new Set(readWorldInteractions(stack.worldDir).map((i) => i.userId))];
    const generate = (userId: string) =>
      unaryCall(stack.client.generate.bind(stack.client), GenerateRequest.fromPartial({ userId, k: K }), { deadline: Date.now() + 10_000 });

    const total = histogram();
    const perSource = new Map<string, hdr.Histogram>();
    const statuses = new Map<string, Map<SourceStatus, number>>();
    let returned = 0;
    const record = (res: GenerateResponse) => {
      returned += res.candidates.length;
      for (const s of res.sources) {
        const latencyUs = (Number(s.latency?.seconds ?? 0) * 1e9 + (s.latency?.nanos ?? 0)) / 1000;
        if (!perSource.has(s.source)) perSource.set(s.source, histogram());
        perSource.get(s.source)?.recordValue(Math.max(1, Math.round(latencyUs)));
        const byStatus = statuses.get(s.source) ?? new Map<SourceStatus, number>();
        byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
        statuses.set(s.source, byStatus);
      }
    };
    for (let i = 0; i < WARMUP; i++) await generate(users[i % users.length] as string);
    for (let i = 0; i < ITERATIONS; i++) {
      const start = process.hrtime.bigint();
      const res = await generate(users[(i * 7919) % users.length] as string);
      total.recordValue(Number(process.hrtime.bigint() - start) / 1000);
      record(res);
    }

    say("");
    say(`| Generate, k=${K}, all sources, ${indexed} items, sequential calls | p50 | p90 | p99 | max | n |`);
    say("|---|---|---|---|---|---|");
    const row = (name: string, h: hdr.Histogram) =>
      say(`| ${name} | ${ms(h.getValueAtPercentile(50))} | ${ms(h.getValueAtPercentile(90))} | ${ms(h.getValueAtPercentile(99))} | ${ms(h.maxValue)} | ${h.totalCount} |`);
    row("client-observed Generate", total);
    for (const [source, h] of perSource) row(`source ${source} (server-side, SourceReport.latency)`, h);
    say("");
    say(`mean candidates returned: ${(returned / ITERATIONS).toFixed(1)}`);
    for (const [source, byStatus] of statuses) {
      say(`${source}: ${[...byStatus].map(([s, n]) => `${SourceStatus[s].replace("SOURCE_STATUS_", "")} ${n}`).join(", ")}`);
    }
    const freshness = await measureAnnFreshness(stack, users, Number(args["fresh-items"]));
    say("| new item event published → retrievable by ANN (ANN-only Generate polled back to back) | p50 | p90 | p99 | max | n |");
    say("|---|---|---|---|---|---|");
    row("item upserted → in the user's ANN answer", freshness.latency);
    say(`never retrievable within 10 s: ${freshness.missed}`);
    say("");
    const fromSnapshot = await stack.restartCandidate({ fresh: false });
    say(`restart from snapshot: shutdown (incl. saving the snapshot) ${(fromSnapshot.stopMs / 1000).toFixed(1)} s, start to SERVING ${(fromSnapshot.startMs / 1000).toFixed(1)} s`);
    const rebuilt = await stack.restartCandidate({ fresh: true });
    say(`new instance without snapshot (replays the stream, re-indexes every embedding): start to SERVING ${(rebuilt.startMs / 1000).toFixed(1)} s`);
  } finally {
    await stack.stop();
  }
}

await main();
