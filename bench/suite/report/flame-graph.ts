/**
 * A flame graph of one .cpuprofile window as a static SVG: the call tree V8
 * recorded, each frame as wide as the busy time spent in it and below it,
 * callers under callees, coloured by who owns the code. Frames narrower than
 * `minShare` of the busy time are left out (their time still counts in their
 * caller's width); hovering a frame shows its name, file and time.
 */
import { forEachSample, frameName, isIdle, ownerOf, whereOf, type CpuProfile, type ProfileNode, type ProfileWindow } from "../cpu-profile.js";

export interface Frame {
  name: string;
  /** Owner (package, service folder, node internals) and file, as the profile tables name them. */
  where: string;
  owner: string;
  /** Depth from the root's children (0) upwards, and the frame's span of the busy time, in µs from the left. */
  depth: number;
  startUs: number;
  us: number;
}

export interface FlameLayout {
  busyUs: number;
  /** Frames narrower than this share of busyUs are left out. */
  minShare: number;
  frames: Frame[];
}

const WIDTH = 1200;
const FRAME_H = 16;
const TOP = 40;
const BOTTOM = 28;
const CHAR_W = 6.4;

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The frames to draw: busy time per call-tree node within the window, laid out left to right, heaviest child first. */
export function flameLayout(profile: CpuProfile, repoRoot: string, window: ProfileWindow | undefined, minShare = 0.002): FlameLayout {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  forEachSample(profile, window, (node, us) => {
    if (node && !isIdle(node)) selfUs.set(node.id, (selfUs.get(node.id) ?? 0) + us);
  });
  const totalUs = new Map<number, number>();
  const total = (node: ProfileNode): number => {
    let us = selfUs.get(node.id) ?? 0;
    for (const child of node.children ?? []) {
      const c = nodes.get(child);
      if (c) us += total(c);
    }
    totalUs.set(node.id, us);
    return us;
  };
  const root = profile.nodes[0];
  const busyUs = root ? total(root) : 0;
  const frames: Frame[] = [];
  const place = (node: ProfileNode, depth: number, startUs: number) => {
    let x = startUs;
    const children = (node.children ?? []).map((id) => nodes.get(id)).filter((c): c is ProfileNode => c !== undefined);
    children.sort((a, b) => (totalUs.get(b.id) ?? 0) - (totalUs.get(a.id) ?? 0));
    for (const child of children) {
      const us = totalUs.get(child.id) ?? 0;
      if (us < minShare * busyUs) continue;
      const name = frameName(child);
      frames.push({ name, where: whereOf(child, repoRoot), owner: ownerOf(child.callFrame.url, name, repoRoot), depth, startUs: x, us });
      place(child, depth + 1, x);
      x += us;
    }
  };
  if (root) place(root, 0, 0);
  return { busyUs, minShare, frames };
}

/** Warm hues for this repository's code, cool for libraries, grey for the runtime. */
function colour(frame: Frame): string {
  let hash = 0;
  for (const ch of frame.name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const jitter = hash % 20;
  if (frame.owner.startsWith("services/") || frame.owner === "gen") return `hsl(${20 + jitter}, 85%, ${58 + (hash % 12)}%)`;
  if (frame.owner === "node internals" || frame.owner.startsWith("(")) return `hsl(0, 0%, ${68 + (hash % 14)}%)`;
  return `hsl(${200 + jitter}, 60%, ${62 + (hash % 12)}%)`;
}

export function flameGraphSvg(layout: FlameLayout, title: string): string {
  const depth = layout.frames.reduce((d, f) => Math.max(d, f.depth + 1), 0);
  const height = TOP + depth * FRAME_H + BOTTOM;
  const scale = layout.busyUs > 0 ? WIDTH / layout.busyUs : 0;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-family="sans-serif" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (const f of layout.frames) {
    const x = f.startUs * scale;
    const w = f.us * scale;
    const y = height - BOTTOM - (f.depth + 1) * FRAME_H;
    const ms = (f.us / 1000).toFixed(1);
    const share = ((100 * f.us) / layout.busyUs).toFixed(1);
    const label = w > 3 * CHAR_W ? f.name.slice(0, Math.floor((w - 4) / CHAR_W)) : "";
    out.push(
      `<g><title>${escape(`${f.name} (${f.where}): ${ms} ms, ${share} %`)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w - 0.5, 0.5).toFixed(1)}" height="${FRAME_H - 1}" fill="${colour(f)}"/>${
        label ? `<text x="${(x + 2).toFixed(1)}" y="${y + FRAME_H - 4}">${escape(label)}</text>` : ""
      }</g>`,
    );
  }
  out.push(
    `<text x="8" y="${height - 8}" font-family="sans-serif" fill="#555">${escape(`${(layout.busyUs / 1000).toFixed(0)} ms busy in the window; width = time in a frame and its callees; orange: this repository, blue: libraries, grey: Node and V8; frames under ${100 * layout.minShare} % omitted`)}</text>`,
    "</svg>",
    "",
  );
  return out.join("\n");
}
