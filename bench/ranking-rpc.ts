/**
 * Rank through gRPC with only what it needs running (not a test): real
 * nats-server and redis-server, the feature service, the candidate service
 * (for real candidate lists) and two ranking services, each in its own process
 * as the stack runs them (CPU provider, item cache on, the defaults): one with
 * dynamic batching on, one with it off (RECMESH_RANKING_MAX_BATCH_ROWS=0).
 * The synthetic world is seeded through JetStream first, and measuring waits
 * (at most 3 minutes) for a 1-minute load average of 0.5.
 *
 * - One caller: Rank of 500 candidates on the batching service, interleaved
 *   with a raw session.run of the exact model input the service builds for
 *   that call (the floor), in this process; p50/p99 and the ratio of the p50s,
 *   and the CPU time each process spent per Rank + session.run pair meanwhile
 *   (from /proc), which says where a Rank's time goes without a profiler.
 * - --callers concurrent callers for --seconds on each service: items scored
 *   per second with batching on vs off, back to back.
 * - Each service's count of Rank calls whose item hydration failed (registry
 *   defaults used) and of candidates by item-cache result, from its metrics.
 *
 *   node --import tsx bench/ranking-rpc.ts [--iterations 2000] [--callers 32] [--seconds 10]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { FeatureServiceClient } from "../gen/recmesh/feature/v1/feature_service.js";
import { RankingServiceClient, type RankRequest } from "../gen/recmesh/ranking/v1/ranking_service.js";
import { freePort } from "../services/kit/infra/free-port.js";
import { createClient } from "../services/kit/grpc/client-factory.js";
import { unaryCall } from "../services/kit/grpc/unary-call.js";
import { readWorldUsers, resolveWorldOptions, worldEndForNow } from "../world/index.js";
import { say, startBenchStack, startService, terminate, untilServing } from "./candidate-bench-stack.js";
import { measureInterleaved, WARMUP_ITERATIONS } from "./interleaved-measure.js";
import { CANDIDATES, cycle, rankWorkload } from "./suite/rank-workload.js";
import { measureCpu } from "./suite/process-cpu.js";
import { waitForQuiet } from "./suite/quiet-machine.js";
import { rawSession } from "./suite/raw-onnx-session.js";

const { values: args } = parseArgs({
  options: {
    iterations: { type: "string", default: "2000" },
    callers: { type: "string", default: "32" },
    seconds: { type: "string", default: "10" },
  },
});
const ITERATIONS = Number(args.iterations);
const CALLERS = Number(args.callers);
const SECONDS = Number(args.seconds);
const SETTINGS = { maxMessageBytes: 64 * 1024 * 1024 };
const deadline = () => Date.now() + 10_000;
/** The seed's catch-up leaves the 1-minute load average high; measuring starts once it has settled. */
const QUIET_LOAD = 0.5;

const stack = await startBenchStack(resolveWorldOptions({ endTime: worldEndForNow() }));
const ranking = await Promise.all(
  [true, false].map(async (batching) => {
    const [port, admin] = [await freePort(), await freePort()];
    const child = startService("ranking", {
      NATS_URL: stack.natsUrl,
      RECMESH_FEATURE_ADDR: stack.featureAddress,
      RECMESH_RANKING_PORT: String(port),
      RECMESH_RANKING_ADMIN_PORT: String(admin),
      RECMESH_RANKING_PROVIDER: "cpu",
      RECMESH_RANKING_MAX_BATCH_ROWS: batching ? "4096" : "0",
    });
    return { batching, child, address: `127.0.0.1:${port}`, metricsUrl: `http://127.0.0.1:${admin}/metrics` };
  }),
);
const feature = createClient(FeatureServiceClient, stack.featureAddress, SETTINGS);
try {
  for (const r of ranking) await untilServing(r.address);
  const [batched, unbatched] = ranking.map((r) => createClient(RankingServiceClient, r.address, SETTINGS));
  if (!batched || !unbatched) throw new Error("ranking clients missing");
  const workload = await rankWorkload({ feature, candidate: stack.client }, readWorldUsers(stack.worldDir).map((u) => u.id), 16);
  const session = await rawSession(workload.modelBytes, workload.contract, { intraOpThreads: 1, allowSpinning: false });
  const rank = (client: RankingServiceClient, request: RankRequest) => unaryCall(client.rank.bind(client), request, { deadline: deadline() });

  const quiet = await waitForQuiet(QUIET_LOAD, 180_000, say);
  say(`${workload.requests.length} Rank requests of ${CANDIDATES} candidates; load average ${quiet.after.toFixed(2)} before measuring (waited ${Math.round(quiet.waitedMs / 1000)} s)`);
  let n = 0;
  let m = 0;
  const cpu = measureCpu({ ...stack.pids(), "ranking (batching on)": ranking[0]?.child.pid, "ranking (batching off)": ranking[1]?.child.pid, "this process (client and floor)": process.pid });
  const [service, floor] = await measureInterleaved(
    ITERATIONS,
    () => rank(batched, cycle(workload.requests, n++)),
    () => session.run(cycle(workload.inputs, m++), CANDIDATES),
  );
  if (!service || !floor) throw new Error("missing measurement");
  const shares = cpu.stop();
  const pairs = ITERATIONS + Math.min(WARMUP_ITERATIONS, ITERATIONS);

  const throughput = async (client: RankingServiceClient, seconds = SECONDS) => {
    const until = Date.now() + seconds * 1000;
    const started = performance.now();
    let calls = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        for (let i = c; Date.now() < until; i += CALLERS) {
          await rank(client, cycle(workload.requests, i));
          calls++;
        }
      }),
    );
    return (calls * CANDIDATES) / ((performance.now() - started) / 1000);
  };
  await throughput(batched, 2);
  await throughput(unbatched, 2);
  const on = await throughput(batched);
  const off = await throughput(unbatched);

  const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;
  say("\n| one caller, 500 candidates | p50 | p99 | n |\n|---|---|---|---|");
  say(`| Rank through gRPC (batching service) | ${ms(service.p50)} | ${ms(service.p99)} | ${service.n} |`);
  say(`| raw session.run of the same input (floor, interleaved) | ${ms(floor.p50)} | ${ms(floor.p99)} | ${floor.n} |`);
  say(`\nRank / session.run (p50): ${(service.p50 / floor.p50).toFixed(2)}x (target <= 3x)`);
  say(`\n| process | CPU ms per Rank + session.run pair (${(shares.windowMs / 1000).toFixed(1)} s, warm-up included) |\n|---|---|`);
  for (const [name, cores] of Object.entries(shares.cores)) say(`| ${name} | ${((cores * shares.windowMs) / pairs).toFixed(3)} |`);
  say(`\n| ${CALLERS} callers × ${SECONDS} s | items/s |\n|---|---|\n| batching on | ${Math.round(on)} |\n| batching off | ${Math.round(off)} |`);
  say(`\nbatching on / off: ${(on / off).toFixed(2)}x (target >= 1.5x); load average ${loadavg()[0]?.toFixed(2)} after`);
  for (const r of ranking) {
    const metrics = await (await fetch(r.metricsUrl)).text();
    const lines = metrics.split("\n").filter((l) => /^recmesh_ranking_(hydration_failures_total|item_cache_candidates_total)\b/.test(l));
    say(`\nbatching ${r.batching ? "on" : "off"} service, Rank calls whose items fell back to defaults and candidates by item-cache result:\n${lines.map((l) => `  ${l}`).join("\n")}`);
  }
  await session.release();
  batched.close();
  unbatched.close();
} finally {
  feature.close();
  await Promise.all(ranking.map((r) => terminate(r.child)));
  await stack.stop();
}
