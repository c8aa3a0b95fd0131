/** A small hand-written SVG line chart: series of points on linear or log axes, with ticks, grid and a legend. */

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

export interface Axis {
  label: string;
  min: number;
  max: number;
  log?: boolean;
  ticks: { value: number; label: string }[];
}

export interface Panel {
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
}

const PANEL_W = 560;
const PANEL_H = 360;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 96 };

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function scale(axis: Axis, length: number, flip: boolean): (v: number) => number {
  const t = (v: number) => (axis.log ? Math.log10(Math.max(v, axis.min)) : v);
  const lo = t(axis.min);
  const hi = t(axis.max);
  return (v) => {
    const f = (t(Math.min(Math.max(v, axis.min), axis.max)) - lo) / (hi - lo || 1);
    return flip ? length * (1 - f) : length * f;
  };
}

function panel(p: Panel, offsetX: number): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const sx = scale(p.x, w, false);
  const sy = scale(p.y, h, true);
  const out: string[] = [`<g transform="translate(${offsetX + MARGIN.left},${MARGIN.top})">`];
  out.push(`<text x="${w / 2}" y="-14" text-anchor="middle" font-size="14" font-weight="bold">${escape(p.title)}</text>`);
  for (const t of p.y.ticks) {
    const y = sy(t.value).toFixed(1);
    out.push(`<line x1="0" x2="${w}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<text x="-6" y="${y}" dy="4" text-anchor="end" font-size="11">${escape(t.label)}</text>`);
  }
  for (const t of p.x.ticks) {
    const x = sx(t.value).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="0" y2="${h}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x}" y="${h + 16}" text-anchor="middle" font-size="11">${escape(t.label)}</text>`);
  }
  out.push(`<rect x="0" y="0" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${w / 2}" y="${h + 34}" text-anchor="middle" font-size="12">${escape(p.x.label)}</text>`);
  out.push(`<text transform="translate(-48,${h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escape(p.y.label)}</text>`);
  for (const s of p.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((pt, i) => `${i === 0 ? "M" : "L"}${sx(pt.x).toFixed(1)},${sy(pt.y).toFixed(1)}`).join(" ");
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    for (const pt of s.points) out.push(`<circle cx="${sx(pt.x).toFixed(1)}" cy="${sy(pt.y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
  }
  p.series.forEach((s, i) => {
    const x = (i % 2) * (w / 2);
    const y = h + 52 + Math.floor(i / 2) * 16;
    out.push(`<line x1="${x}" x2="${x + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    out.push(`<text x="${x + 28}" y="${y}" font-size="11">${escape(s.label)}</text>`);
  });
  out.push("</g>");
  return out.join("\n");
}

/** Panels side by side in one SVG document, with a caption line under them. */
export function svgDocument(panels: Panel[], caption: string): string {
  const width = PANEL_W * panels.length;
  const height = PANEL_H + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * PANEL_W)),
    `<text x="8" y="${height - 8}" font-size="11" fill="#555">${escape(caption)}</text>`,
    "</svg>",
    "",
  ].join("\n");
}

/** 1, 2, 5 × 10^k ticks covering [min, max] (log axes in ms). */
export function logTicks(min: number, max: number, unit: string): { value: number; label: string }[] {
  const ticks: { value: number; label: string }[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) ticks.push({ value: v, label: `${Number(v.toPrecision(3))} ${unit}` });
    }
  }
  return ticks;
}
