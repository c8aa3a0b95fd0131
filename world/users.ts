import type { Catalog } from "./catalog.js";
import { Rng } from "./prng.js";
import { EMBEDDING_DIM, gaussian, unitRounded, weightedSum } from "./vectors.js";
import { AliasSampler } from "./weighted-sampler.js";
import type { TasteComponent, WorldUser } from "./world-types.js";
import type { WorldOptions } from "./world-options.js";

/** Share of users whose taste mixes 1, 2 or 3 categories. */
const MIXTURE_SIZES = [0.45, 0.4, 0.15];
const TASTE_NOISE = 0.35;
const ACTIVITY_SIGMA = 0.9;
const PEAK_HOURS = [8, 12, 19, 21];

/**
 * Users with a latent taste: a mixture of 1–3 (category, favourite brand)
 * directions plus noise, unit length. Popular categories have more fans.
 */
export function generateUsers(options: WorldOptions, catalog: Catalog): WorldUser[] {
  const rng = new Rng(options.seed, "users");
  const categoryFans = new AliasSampler(catalog.categories.map((c) => c.mass));
  const mixtureSize = new AliasSampler(MIXTURE_SIZES);
  const width = Math.max(5, String(options.users).length);
  const users: WorldUser[] = [];
  for (let u = 0; u < options.users; u++) {
    const count = mixtureSize.sample(rng) + 1;
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(categoryFans.sample(rng));
    const raw = [...chosen].map((c) => ({ c, weight: rng.exponential(1) }));
    const total = raw.reduce((sum, r) => sum + r.weight, 0);
    const components: (TasteComponent & { direction: number[] })[] = raw.map(({ c, weight }) => {
      const category = catalog.categories[c];
      if (!category) throw new Error(`category ${c} missing`);
      const brand = rng.pick(category.brands);
      return { category: category.name, brand: brand.name, weight: Math.round((weight / total) * 1e6) / 1e6, direction: brand.direction };
    });
    const taste = unitRounded(
      weightedSum([
        ...components.map((k) => ({ weight: k.weight, vector: k.direction })),
        { weight: 1, vector: gaussian(rng, TASTE_NOISE / Math.sqrt(EMBEDDING_DIM)) },
      ]),
    );
    const activity = Math.round(Math.exp(ACTIVITY_SIGMA * rng.normal() - (ACTIVITY_SIGMA * ACTIVITY_SIGMA) / 2) * 1e4) / 1e4;
    const preferredHour = (((rng.pick(PEAK_HOURS) + Math.round(2 * rng.normal())) % 24) + 24) % 24;
    users.push({
      id: `user-${String(u + 1).padStart(width, "0")}`,
      taste,
      tasteComponents: components.map(({ category, brand, weight }) => ({ category, brand, weight })),
      activity,
      preferredHour,
    });
  }
  return users;
}
