import type { Catalog, CategoryModel } from "./catalog.js";
import { cartProbability, clickProbability, dwellSeconds, purchaseProbability } from "./funnel.js";
import { Rng } from "./prng.js";
import { dot } from "./vectors.js";
import { softmaxSample } from "./weighted-sampler.js";
import type { WorldInteractionType, WorldUser } from "./world-types.js";
import type { WorldOptions } from "./world-options.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Inverse temperature of the session's category choice (taste·category direction). */
const CATEGORY_TEMPERATURE = 5;
/** Inverse temperature of the item choice among the exposed candidates (taste·embedding). */
const ITEM_TEMPERATURE = 10;
const EXPLORATION_RATE = 0.1;
const STAY_IN_CATEGORY_RATE = 0.35;
const CANDIDATES_PER_SESSION = 40;
const MEAN_EXTRA_VIEWS = 4;
const MAX_VIEWS = 25;
const REVISIT_RATE = 0.15;
const RECENT_ITEMS = 8;
const SESSION_GAP_MS = 10 * 60_000;

export interface GeneratedInteraction {
  userId: string;
  itemId: string;
  type: WorldInteractionType;
  occurredAt: number;
  value: number;
  session: string;
  surface: string;
}

interface SessionContext {
  rng: Rng;
  catalog: Catalog;
  user: WorldUser;
  /** Items the user clicked or carted lately and did not buy: what they come back to. */
  recent: number[];
  endTime: number;
  out: GeneratedInteraction[];
}

function sessionStarts(rng: Rng, options: WorldOptions, user: WorldUser): number[] {
  const windowStart = options.endTime - options.days * DAY_MS;
  const count = rng.poisson(user.activity * options.sessionsPerUserDay * options.days);
  return Array.from({ length: count }, () => {
    const hour = user.preferredHour + 2.5 * rng.normal();
    const t = windowStart + rng.int(options.days) * DAY_MS + Math.floor((hour + rng.next()) * HOUR_MS);
    return Math.min(options.endTime - 1, Math.max(windowStart, t));
  }).sort((a, b) => a - b);
}

/** Candidates a session exposes: popularity-weighted draws from one category (or the whole catalog), available at `start`. */
function exposedCandidates(ctx: SessionContext, category: CategoryModel | undefined, start: number): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < CANDIDATES_PER_SESSION; i++) {
    const index = category
      ? (category.itemIndexes[category.exposure.sample(ctx.rng)] ?? 0)
      : ctx.catalog.globalExposure.sample(ctx.rng);
    if ((ctx.catalog.items[index]?.createdAt ?? Infinity) <= start) seen.add(index);
  }
  return [...seen];
}

function emit(ctx: SessionContext, itemIndex: number, type: WorldInteractionType, at: number, value: number, session: string, surface: string): boolean {
  if (at >= ctx.endTime) return false;
  const item = ctx.catalog.items[itemIndex];
  if (!item) throw new Error(`item ${itemIndex} missing`);
  ctx.out.push({ userId: ctx.user.id, itemId: item.id, type, occurredAt: at, value, session, surface });
  return true;
}

/** One view and whatever the funnel makes of it; returns the time after it, or undefined past the end. */
function viewItem(ctx: SessionContext, itemIndex: number, at: number, session: string, surface: string): number | undefined {
  const { rng } = ctx;
  const item = ctx.catalog.items[itemIndex];
  if (!item) throw new Error(`item ${itemIndex} missing`);
  const affinity = dot(ctx.user.taste, item.embedding);
  const dwell = dwellSeconds(rng, affinity);
  if (!emit(ctx, itemIndex, "view", at, dwell, session, surface)) return undefined;
  let t = at + Math.round(dwell * 1000);
  if (rng.chance(clickProbability(affinity, surface === "recent"))) {
    t += 2_000 + rng.int(6_000);
    if (!emit(ctx, itemIndex, "click", t, 0, session, surface)) return undefined;
    if (!ctx.recent.includes(itemIndex)) ctx.recent.push(itemIndex);
    if (ctx.recent.length > RECENT_ITEMS) ctx.recent.shift();
    if (rng.chance(cartProbability(affinity, item.priceBand))) {
      t += 20_000 + rng.int(100_000);
      if (!emit(ctx, itemIndex, "add_to_cart", t, 0, session, surface)) return undefined;
      if (rng.chance(purchaseProbability(item.priceBand))) {
        t += 60_000 + rng.int(540_000);
        if (!emit(ctx, itemIndex, "purchase", t, item.price, session, surface)) return undefined;
        ctx.recent.splice(ctx.recent.indexOf(itemIndex), 1);
      }
    }
  }
  return t + 5_000 + rng.int(55_000);
}

/**
 * One user's history over the window: sessions start around the user's
 * preferred hour on random days; each session browses one category (often the
 * previous one again, sometimes the whole catalog), sees popularity-weighted
 * candidates, views them by taste (softmax over taste·embedding) or comes back
 * to recently engaged items, and each view runs down the funnel.
 */
export function generateUserHistory(options: WorldOptions, catalog: Catalog, user: WorldUser, userIndex: number): GeneratedInteraction[] {
  const rng = new Rng(options.seed, `history:${userIndex}`);
  const ctx: SessionContext = { rng, catalog, user, recent: [], endTime: options.endTime, out: [] };
  const totalMass = catalog.categories.reduce((sum, c) => sum + c.mass, 0);
  const categoryScores = catalog.categories.map((c) => CATEGORY_TEMPERATURE * dot(user.taste, c.direction) + Math.log(c.mass / totalMass));
  let previous: number | undefined;
  let notBefore = -Infinity;
  let sessionNumber = 0;
  for (const planned of sessionStarts(rng, options, user)) {
    const start = Math.max(planned, notBefore);
    if (start >= options.endTime) break;
    const session = `${user.id}-s${++sessionNumber}`;
    const explore = rng.chance(EXPLORATION_RATE);
    const categoryIndex = previous !== undefined && rng.chance(STAY_IN_CATEGORY_RATE) ? previous : softmaxSample(rng, categoryScores);
    const category = explore ? undefined : catalog.categories[categoryIndex];
    if (category) previous = categoryIndex;
    const candidates = exposedCandidates(ctx, category, start);
    const scores = candidates.map((i) => ITEM_TEMPERATURE * dot(user.taste, catalog.items[i]?.embedding ?? []));
    const viewed = new Set<number>();
    const views = Math.min(MAX_VIEWS, 1 + Math.floor(rng.exponential(MEAN_EXTRA_VIEWS)));
    let t: number | undefined = start;
    for (let v = 0; v < views && t !== undefined; v++) {
      const revisit = ctx.recent.length > 0 && rng.chance(REVISIT_RATE);
      let itemIndex: number | undefined;
      if (revisit) {
        itemIndex = ctx.recent[Math.max(0, ctx.recent.length - 1 - Math.floor(rng.exponential(2)))];
      } else if (candidates.length > 0) {
        for (let attempt = 0; attempt < 3 && (itemIndex === undefined || viewed.has(itemIndex)); attempt++) {
          itemIndex = candidates[softmaxSample(rng, scores)];
        }
      }
      if (itemIndex === undefined) break;
      viewed.add(itemIndex);
      t = viewItem(ctx, itemIndex, t, session, revisit ? "recent" : explore ? "home" : "category");
    }
    notBefore = (t ?? options.endTime) + SESSION_GAP_MS;
  }
  return ctx.out;
}
