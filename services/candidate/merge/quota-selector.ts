import type { Candidate } from "../domain/candidate-types.js";

/**
 * Picks k candidates from a merged, ordered list so that no source fills more
 * than its quota (a maximum count) while candidates of other sources remain.
 * A candidate found by several sources is charged to the one, among those with
 * quota left, where it ranked best; it is held back only when every source
 * that found it is at its quota. Slots still free after the pass are filled with
 * the held-back candidates in merged order, so a quota never returns fewer than
 * k when candidates exist. The output keeps the input order.
 */
export function selectWithQuotas(candidates: readonly Candidate[], k: number, quotas: ReadonlyMap<string, number>): Candidate[] {
  const used = new Map<string, number>();
  const selected = new Set<Candidate>();
  for (const c of candidates) {
    if (selected.size >= k) break;
    const charged = chargeable(c, used, quotas);
    if (charged === undefined) continue;
    used.set(charged, (used.get(charged) ?? 0) + 1);
    selected.add(c);
  }
  for (const c of candidates) {
    if (selected.size >= k) break;
    selected.add(c);
  }
  return candidates.filter((c) => selected.has(c));
}

function chargeable(c: Candidate, used: ReadonlyMap<string, number>, quotas: ReadonlyMap<string, number>): string | undefined {
  let best: { source: string; rank: number } | undefined;
  for (const s of c.sources) {
    const quota = quotas.get(s.source) ?? Infinity;
    if ((used.get(s.source) ?? 0) >= quota) continue;
    if (!best || s.rank < best.rank) best = { source: s.source, rank: s.rank };
  }
  return best?.source;
}
