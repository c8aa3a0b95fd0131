import { CATEGORIES } from "./categories.js";
import { Rng } from "./prng.js";
import { EMBEDDING_DIM, gaussian, randomUnit, unitRounded, weightedSum } from "./vectors.js";
import { AliasSampler } from "./weighted-sampler.js";
import { PRICE_BANDS, type PriceBand, type WorldItem } from "./world-types.js";
import type { WorldOptions } from "./world-options.js";

const DAY_MS = 86_400_000;
const BRANDS_PER_CATEGORY = 12;
/** Norm of a brand's offset from its category direction, and of an item's own noise. */
const BRAND_SPREAD = 0.6;
const TAG_WEIGHT = 0.35;
const ITEM_NOISE = 0.45;
/** Zipf–Mandelbrot exposure weight 1 / (rank + q)^s. */
const ZIPF_EXPONENT = 1.0;
const ZIPF_OFFSET = 5;
const NEW_ARRIVAL_SHARE = 0.1;
const PRICE_MULTIPLIERS: Record<PriceBand, number> = { budget: 0.45, mid: 1, premium: 2.2, luxury: 5 };
const BAND_SHARES = [0.3, 0.4, 0.2, 0.1];
const SYLLABLES = ["nor", "vik", "ala", "zen", "tor", "mi", "ka", "lux", "ore", "pix", "sol", "da", "ve", "ro", "qui", "lo"];

export interface Brand {
  name: string;
  band: number;
  direction: number[];
}

export interface CategoryModel {
  name: string;
  direction: number[];
  brands: Brand[];
  /** Indexes into the item array of this category's items. */
  itemIndexes: number[];
  /** Exposure sampler over itemIndexes, weighted by popularity. */
  exposure: AliasSampler;
  /** Σ exposure weight of its items: how much traffic the category draws. */
  mass: number;
}

export interface Catalog {
  items: WorldItem[];
  categories: CategoryModel[];
  /** Exposure weight of each item (Zipf over a random popularity ranking). */
  weights: Float64Array;
  globalExposure: AliasSampler;
}

function brandName(rng: Rng): string {
  const name = rng.pick(SYLLABLES) + rng.pick(SYLLABLES) + (rng.chance(0.4) ? rng.pick(SYLLABLES) : "");
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function makeBrands(rng: Rng, direction: number[]): Brand[] {
  return Array.from({ length: BRANDS_PER_CATEGORY }, () => ({
    name: brandName(rng),
    band: new AliasSampler(BAND_SHARES).sample(rng),
    direction: unitRounded(weightedSum([{ weight: 1, vector: direction }, { weight: 1, vector: gaussian(rng, BRAND_SPREAD / Math.sqrt(EMBEDDING_DIM)) }])),
  }));
}

/** The catalog: categories → brands → items, with content embeddings clustered the same way. */
export function generateCatalog(options: WorldOptions): Catalog {
  const rng = new Rng(options.seed, "catalog");
  const models = CATEGORIES.map((spec) => {
    const direction = randomUnit(rng);
    const tagDirections = spec.tags.map(() => randomUnit(rng));
    return { spec, direction, tagDirections, brands: makeBrands(rng, direction) };
  });
  const categoryShare = new AliasSampler(models.map(() => Math.exp(0.5 * rng.normal())));
  const popularityRank = rng.shuffle(Array.from({ length: options.items }, (_, i) => i));
  const windowStart = options.endTime - options.days * DAY_MS;
  const width = Math.max(6, String(options.items).length);

  const items: WorldItem[] = [];
  for (let i = 0; i < options.items; i++) {
    const m = models[i < models.length ? i : categoryShare.sample(rng)] ?? models[0];
    if (!m) throw new Error("no categories");
    const brand = rng.pick(m.brands);
    const tagCount = 1 + rng.int(3);
    const tagIndexes = [...new Set(Array.from({ length: tagCount }, () => rng.int(m.spec.tags.length)))].sort((a, b) => a - b);
    const bandIndex = rng.chance(0.7) ? brand.band : Math.min(3, Math.max(0, brand.band + (rng.chance(0.5) ? 1 : -1)));
    const priceBand = PRICE_BANDS[bandIndex] ?? "mid";
    const price = Math.max(1, Math.round(m.spec.basePrice * PRICE_MULTIPLIERS[priceBand] * Math.exp(0.25 * rng.normal()))) - 0.01;
    const embedding = unitRounded(
      weightedSum([
        { weight: 1, vector: brand.direction },
        ...tagIndexes.map((t) => ({ weight: TAG_WEIGHT / Math.sqrt(tagIndexes.length), vector: m.tagDirections[t] ?? [] })),
        { weight: 1, vector: gaussian(rng, ITEM_NOISE / Math.sqrt(EMBEDDING_DIM)) },
      ]),
    );
    const createdAt = rng.chance(NEW_ARRIVAL_SHARE)
      ? windowStart + Math.floor(rng.next() * (options.days - options.heldoutDays) * DAY_MS)
      : windowStart - Math.floor(rng.exponential(180 * DAY_MS));
    items.push({
      id: `item-${String(i + 1).padStart(width, "0")}`,
      category: m.spec.name,
      tags: tagIndexes.map((t) => m.spec.tags[t] ?? ""),
      brand: brand.name,
      priceBand,
      price,
      embedding,
      createdAt,
      popularityRank: (popularityRank[i] ?? 0) + 1,
    });
  }

  const weights = Float64Array.from(items, (item) => 1 / (item.popularityRank + ZIPF_OFFSET) ** ZIPF_EXPONENT);
  const categories = models.map((m): CategoryModel => {
    const itemIndexes = items.flatMap((item, i) => (item.category === m.spec.name ? [i] : []));
    const categoryWeights = itemIndexes.map((i) => weights[i] ?? 0);
    return {
      name: m.spec.name,
      direction: m.direction,
      brands: m.brands,
      itemIndexes,
      exposure: new AliasSampler(categoryWeights),
      mass: categoryWeights.reduce((a, b) => a + b, 0),
    };
  });
  return { items, categories, weights, globalExposure: new AliasSampler(weights) };
}
