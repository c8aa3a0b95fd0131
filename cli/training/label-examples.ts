import { Rng } from "../../world/prng.js";
import type { WorldInteraction, WorldItem } from "../../world/world-types.js";

/** One training row before features: would this user engage with this item? */
export interface LabelExample {
  userId: string;
  itemId: string;
  label: 0 | 1;
  /** Query id (user × day) for grouping and the validation split. */
  group: number;
}

export interface LabelOptions {
  /** Label window [from, to) in epoch ms; features are read as of `from`. */
  from: number;
  to: number;
  /** Negatives drawn per positive from the catalog, popularity-weighted and uniform. */
  popularNegatives: number;
  uniformNegatives: number;
  seed: number;
}

const ENGAGED = new Set(["click", "add_to_cart", "purchase"]);

/**
 * Labels from what users did in the window: items they clicked, carted or
 * bought are positives; items they only viewed are negatives, as are items drawn
 * from the catalog (by popularity, like the popularity source, and uniformly, like
 * the long tail retrieval brings) that they did not touch. One example per
 * (user, item, day) with the strongest label.
 */
export function labelExamples(interactions: readonly WorldInteraction[], items: readonly WorldItem[], o: LabelOptions): LabelExample[] {
  const rng = new Rng(o.seed, "training-negatives");
  const byQuery = new Map<string, { userId: string; day: number; labels: Map<string, 0 | 1> }>();
  for (const i of interactions) {
    if (i.occurredAt < o.from || i.occurredAt >= o.to) continue;
    const day = Math.floor((i.occurredAt - o.from) / 86_400_000);
    const key = `${i.userId}\u0000${day}`;
    const q = byQuery.get(key) ?? { userId: i.userId, day, labels: new Map<string, 0 | 1>() };
    byQuery.set(key, q);
    if (ENGAGED.has(i.type)) q.labels.set(i.itemId, 1);
    else if (!q.labels.has(i.itemId)) q.labels.set(i.itemId, 0);
  }
  const byPopularity = [...items].sort((a, b) => a.popularityRank - b.popularityRank);
  const popularPick = () => byPopularity[Math.min(byPopularity.length - 1, Math.floor(byPopularity.length * rng.next() ** 3))] as WorldItem;
  const uniformPick = () => items[rng.int(items.length)] as WorldItem;

  const examples: LabelExample[] = [];
  let group = 0;
  for (const q of [...byQuery.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : a.day - b.day))) {
    const positives = [...q.labels.values()].filter((l) => l === 1).length;
    if (positives === 0) continue;
    for (let n = 0; n < positives * o.popularNegatives; n++) addNegative(q.labels, popularPick().id);
    for (let n = 0; n < positives * o.uniformNegatives; n++) addNegative(q.labels, uniformPick().id);
    for (const [itemId, label] of q.labels) examples.push({ userId: q.userId, itemId, label, group });
    group++;
  }
  return examples;
}

function addNegative(labels: Map<string, 0 | 1>, itemId: string): void {
  if (!labels.has(itemId)) labels.set(itemId, 0);
}
