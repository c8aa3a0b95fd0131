import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** A V8 .cpuprofile (what node --cpu-prof writes). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Where the function lives: repo-relative file, package, or a V8 pseudo-frame. */
  where: string;
  ms: number;
  /** Share of the busy (non-idle) samples in the window. */
  share: number;
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  /** Samples in the window, and how many the sampling interval would have given: far fewer means the sampler was starved of CPU. */
  samples: number;
  expectedSamples: number;
  top: SelfTime[];
  /** Self time by package / service folder / V8 pseudo-frame. */
  byOwner: { owner: string; ms: number; share: number }[];
}

/** A window of the profile's clock, in µs. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

const IDLE = new Set(["(idle)", "(program)"]);

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
}

/** The frame's function name, with V8's empty name spelled out. */
export function frameName(node: ProfileNode): string {
  return node.callFrame.functionName || "(anonymous)";
}

/** True for the frames that are not work: the idle loop and V8's unattributed time. */
export function isIdle(node: ProfileNode): boolean {
  return IDLE.has(frameName(node));
}

/**
 * Visits each sample within the window (V8 stamps samples with the same
 * monotonic clock as process.hrtime, so a window measured in the suite selects
 * one phase only) with the node it hit and the time it stands for.
 */
export function forEachSample(profile: CpuProfile, window: ProfileWindow | undefined, visit: (node: ProfileNode | undefined, us: number) => void): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    visit(nodes.get(profile.samples[i] ?? -1), delta);
  }
}

/** Where a frame lives, as the profile tables name it: owner and file, or the V8 pseudo-frame's name. */
export function whereOf(node: ProfileNode, repoRoot: string): string {
  const name = frameName(node);
  const { url } = node.callFrame;
  // Line numbers are those of tsx's transpiled output, not the sources: name the file only.
  return url ? `${ownerOf(url, name, repoRoot)}/${url.split("/").pop()}` : name;
}

export function ownerOf(url: string, name: string, repoRoot: string): string {
  if (!url) return name.startsWith("(") ? name : "(native)";
  const path = url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1] ?? path;
  if (path.startsWith("node:")) return "node internals";
  const rel = relative(repoRoot, path);
  const parts = rel.split("/");
  if (parts[0] === "services") return `services/${parts[1] ?? ""}`;
  return parts[0] ?? rel;
}

/** The newest main-thread .cpuprofile in `dir` (CPU.<date>.<time>.<pid>.<thread>.<seq>; tsx's loader thread writes one too). */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
    .sort();
  const last = files[files.length - 1];
  return last ? join(dir, last) : undefined;
}

/** Self time per function within the window, by function and by owner. */
export function summarizeProfile(file: string, repoRoot: string, window?: ProfileWindow, topN = 15): ProfileSummary {
  const profile = readProfile(file);
  const self = new Map<string, SelfTime>();
  const owners = new Map<string, number>();
  let windowUs = 0;
  let busyUs = 0;
  let samples = 0;
  forEachSample(profile, window, (node, delta) => {
    windowUs += delta;
    samples++;
    if (!node || isIdle(node)) return;
    const name = frameName(node);
    const { url } = node.callFrame;
    busyUs += delta;
    const where = whereOf(node, repoRoot);
    const key = `${name}@${where}`;
    const entry = self.get(key) ?? { name, where, ms: 0, share: 0 };
    entry.ms += delta / 1000;
    self.set(key, entry);
    const owner = ownerOf(url, name, repoRoot);
    owners.set(owner, (owners.get(owner) ?? 0) + delta / 1000);
  });
  const busyMs = busyUs / 1000;
  const top = [...self.values()].sort((a, b) => b.ms - a.ms).slice(0, topN).map((e) => ({ ...e, share: e.ms / busyMs }));
  const byOwner = [...owners.entries()].sort((a, b) => b[1] - a[1]).map(([owner, ms]) => ({ owner, ms, share: ms / busyMs }));
  const sorted = [...profile.timeDeltas].sort((a, b) => a - b);
  const intervalUs = Math.max(1, sorted[Math.floor(sorted.length / 2)] ?? 1000);
  return { windowMs: windowUs / 1000, busyMs, samples, expectedSamples: Math.round(windowUs / intervalUs), top, byOwner };
}
