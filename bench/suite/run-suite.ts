/**
 * The recmesh benchmark suite (not a test): starts the stack as users run it,
 * restores the seeded default world, waits for a quiet machine, measures every
 * phase for a fixed time, and writes the tables into BENCHMARKS.md and the
 * latency chart into bench/results/.
 *
 *   npm run bench                  full run, ~6–8 minutes once the world is seeded
 *   npm run bench -- --quick       ~1 minute smoke run; prints the report, writes under .data/bench/last/
 *   npm run bench -- --only track  some phases only (recommend, floor, services, ranking, freshness, session, profile, track)
 *   npm run bench -- --fresh       seed the world again first (otherwise the first run's copy is reused)
 *   npm run bench -- --only profile --profile ranking --profile-callers 32
 *                                  profile some services (comma-separated; default all) under N Recommend callers (default 1)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { SERVICE_NAMES } from "../../services/kit/config/ports.js";
import { readWorldItems, readWorldUsers } from "../../world/index.js";
import { readProfile } from "./cpu-profile.js";
import { floorPhase } from "./phases/floor-phase.js";
import { freshnessPhase } from "./phases/freshness-phase.js";
import { profilePhase } from "./phases/profile-phase.js";
import { rankingPhase } from "./phases/ranking-phase.js";
import { recommendPhase } from "./phases/recommend-phase.js";
import { servicesPhase } from "./phases/services-phase.js";
import { sessionPhase } from "./phases/session-phase.js";
import { trackPhase } from "./phases/track-phase.js";
import { currentLoad, waitForQuiet } from "./quiet-machine.js";
import { rankWorkload } from "./rank-workload.js";
import { writeSuiteSection } from "./report/benchmarks-file.js";
import { flameGraphSvg, flameLayout } from "./report/flame-graph.js";
import { recommendLatencyChart } from "./report/latency-chart.js";
import { markdownReport } from "./report/markdown-report.js";
import type { SuiteResults } from "./report/suite-results.js";
import { suiteClients } from "./suite-clients.js";
import { LOAD_THRESHOLD, suiteSettings } from "./suite-settings.js";
import { SuiteStack } from "./suite-stack.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CHART = "bench/results/recommend-latency.svg";
/** The suite stops itself, stack included, if it ever runs this long. */
const WATCHDOG_MS = { quick: 6 * 60_000, full: 25 * 60_000 };

const PHASES = ["recommend", "floor", "services", "ranking", "freshness", "session", "profile", "track"] as const;
type Phase = (typeof PHASES)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "string", default: "all" },
    "profile-callers": { type: "string", default: "1" },
  },
});
const quick = args.quick ?? false;
const only = args.only ? args.only.split(",").map((p) => p.trim()) : [...PHASES];
const unknown = only.filter((p) => !(PHASES as readonly string[]).includes(p));
if (unknown.length > 0) throw new Error(`--only: unknown phase(s) ${unknown.join(", ")}; phases: ${PHASES.join(", ")}`);
const selected = (p: Phase) => only.includes(p);
const profileArg = args.profile ?? "all";
const profileList = profileArg === "all" ? [...SERVICE_NAMES] : profileArg.split(",").map((s) => s.trim());
const notServices = profileList.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
if (notServices.length > 0) throw new Error(`--profile: unknown service(s) ${notServices.join(", ")}; services: ${SERVICE_NAMES.join(", ")} or all`);
const profileCallers = Number(args["profile-callers"]);
if (!Number.isInteger(profileCallers) || profileCallers < 1) throw new Error(`--profile-callers: ${args["profile-callers"]} is not a positive whole number`);
const partial = only.length < PHASES.length;
const settings = suiteSettings(quick);
const say = (line: string) => process.stdout.write(`${line}\n`);

function commit(): string {
  const git = (...a: string[]) => execFileSync("git", a, { cwd: REPO, encoding: "utf8" }).trim();
  try {
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain").length > 0 ? " + uncommitted changes" : ""}`;
  } catch {
    return "unknown";
  }
}

const watchdog = setTimeout(() => {
  process.stderr.write(`the suite ran past ${WATCHDOG_MS[quick ? "quick" : "full"] / 60_000} minutes: stopping everything\n`);
  process.exit(1);
}, WATCHDOG_MS[quick ? "quick" : "full"]);

const started = Date.now();
const loadAtStart = currentLoad();
const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${type()} ${release()}`;
say(`recmesh benchmark suite (${quick ? "quick" : "full"}) on ${machine}; load average ${loadAtStart.toFixed(2)}`);

const stack = await SuiteStack.start(join(REPO, ".data", "bench"), { fresh: args.fresh ?? false }, say);
say(`stack up: ${Object.entries(stack.addresses).map(([n, a]) => `${n} ${a}`).join(", ")}`);
const clients = suiteClients(stack.addresses);
const redis = new Redis(stack.infra.redisUrl);
const runId = Date.now().toString(36);
const phaseLoads: Record<string, number> = {};
const phase = async <T>(name: Phase, body: () => Promise<T>): Promise<T | undefined> => {
  if (!selected(name)) return undefined;
  phaseLoads[name] = currentLoad();
  say(`${name} (load average ${phaseLoads[name]?.toFixed(2)})`);
  return body();
};
const flags = [
  quick ? "--quick" : "",
  partial ? `--only ${only.join(",")}` : "",
  profileArg === "all" ? "" : `--profile ${profileArg}`,
  profileCallers === 1 ? "" : `--profile-callers ${profileCallers}`,
].filter((f) => f !== "");
let results: SuiteResults;
try {
  const users = readWorldUsers(stack.worldDir).map((u) => u.id);
  const items = readWorldItems(stack.worldDir).map((i) => i.id);
  say(`waiting for a load average ≤ ${LOAD_THRESHOLD} (at most ${settings.quietWaitMs / 1000} s)`);
  const loadCheck = await waitForQuiet(LOAD_THRESHOLD, settings.quietWaitMs, say);
  say(`  load average ${loadCheck.after.toFixed(2)} after ${Math.round(loadCheck.waitedMs / 1000)} s${loadCheck.quiet ? "" : " — not quiet; measuring anyway and reporting it"}`);

  const recommend = await phase("recommend", () => recommendPhase(clients.recommender, users, () => stack.pids(), settings, say));
  const floor = await phase("floor", () => floorPhase(stack, settings, 300));
  if (floor) say(`  1 caller p50 ${floor.sequential.latency.p50.toFixed(2)} ms; ${settings.saturationConcurrency} callers ${floor.saturation.throughput.toFixed(0)} req/s`);
  const workload = selected("services") || selected("ranking") ? await rankWorkload(clients, users, 16) : undefined;
  const services = workload && (await phase("services", () => servicesPhase(stack, clients, redis, workload, users, settings)));
  const ranking = workload && (await phase("ranking", () => rankingPhase(stack, workload, settings, say)));
  const freshness = await phase("freshness", () => freshnessPhase(clients, users, items, settings.freshnessSamples, runId));
  if (freshness) say(`  p50 ${freshness.visible.latency.p50.toFixed(1)} ms, p99 ${freshness.visible.latency.p99.toFixed(1)} ms`);
  const session = await phase("session", () => sessionPhase(clients.recommender, users, settings.sessionSamples, runId));
  const profile =
    settings.profileMs > 0 || (partial && selected("profile"))
      ? await phase("profile", () => profilePhase(stack, clients.recommender, users, { ...settings, profileMs: settings.profileMs || 5_000 }, stack.services.filter((s) => profileList.includes(s)), profileCallers))
      : undefined;
  const track = await phase("track", () => trackPhase(clients.recommender, stack.infra.natsUrl, () => stack.pids(), users, items, settings, runId));
  if (track) say(`  unary ${track.unary.throughput.toFixed(0)}/s, stream ${track.stream.perSecond.toFixed(0)}/s`);
  results = {
    info: {
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
      commit: commit(),
      command: `npm run bench${flags.length > 0 ? ` -- ${flags.join(" ")}` : ""}`,
      machine,
      node: process.version,
      loadAtStart,
      loadCheck,
      loadAtEnd: currentLoad(),
      world: `the default world (${stack.baseline.summary[0] ?? "seed 42"}), seeded through JetStream into a fresh stack on ${stack.baseline.seeded.slice(0, 10)} and restored from that copy for this run`,
      durationMs: Date.now() - started,
      quick,
      phases: only,
      partial,
    },
    recommend,
    floor,
    services,
    ranking,
    freshness,
    session,
    profile,
    track,
    phaseLoads,
  };
} finally {
  clients.close();
  redis.disconnect();
  await stack.stop();
}

// Only a complete full run replaces the published numbers; quick and partial runs write beside the data.
const publish = !quick && !partial;
const outDir = publish ? join(REPO, "bench", "results") : join(REPO, ".data", "bench", "last");
mkdirSync(outDir, { recursive: true });
const chartFile = publish ? join(REPO, CHART) : join(outDir, "recommend-latency.svg");
if (results.recommend) writeFileSync(chartFile, recommendLatencyChart(results.recommend, results.floor, results.info));
const flamePath = (service: string) => (publish ? `bench/results/flame-${service}.svg` : join(outDir, `flame-${service}.svg`));
for (const p of results.profile?.profiles ?? []) {
  const layout = flameLayout(readProfile(p.file), REPO, results.profile?.window);
  writeFileSync(publish ? join(REPO, flamePath(p.service)) : flamePath(p.service), flameGraphSvg(layout, `${p.service}: where its busy time went while profiled (${results.info.date}, ${results.info.commit})`));
}
writeFileSync(join(outDir, "suite-results.json"), `${JSON.stringify(results, null, 2)}\n`);
const report = markdownReport(results, publish ? CHART : chartFile, flamePath);
if (publish) {
  writeSuiteSection(join(REPO, "BENCHMARKS.md"), report);
  say(`\nBENCHMARKS.md updated (suite section), chart in ${CHART}, raw results in bench/results/suite-results.json`);
} else {
  writeFileSync(join(outDir, "report.md"), report);
  say(`\n${report}\n\n${quick ? "quick" : "partial"} run: BENCHMARKS.md left as it was; report, chart and JSON in ${outDir}`);
}
clearTimeout(watchdog);
