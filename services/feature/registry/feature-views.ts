import type { FeatureDeclaration, ViewDeclaration } from "./view-declaration.js";

/** Embedding dimension shared by every service. */
export const EMBEDDING_DIM = 32;
/** Buckets of the hashed item category (FNV-1a 32-bit mod this). */
export const CATEGORY_BUCKETS = 32;

/** Smoothing of click-through rates: a prior CTR worth this many views. */
export const CTR_PRIOR = 0.05;
export const CTR_PRIOR_VIEWS = 20;

/** Half-lives of the user activity counters: roughly the last hour, day and week. */
export const ACTIVITY_WINDOWS = [
  { suffix: "1h", halfLifeHours: 1 },
  { suffix: "1d", halfLifeHours: 24 },
  { suffix: "7d", halfLifeHours: 168 },
] as const;

/** Interaction types in funnel order, with the column stem their counters use. */
export const INTERACTION_COLUMNS = {
  view: "views",
  click: "clicks",
  add_to_cart: "add_to_carts",
  purchase: "purchases",
  rating: "ratings",
  dismiss: "dismisses",
} as const;

/** Half-life of the taste embedding and category affinity: tastes drift over weeks. */
export const TASTE_HALF_LIFE_HOURS = 168;
/** Half-life of item popularity: what is hot today. */
export const POPULARITY_HALF_LIFE_HOURS = 24;

/** How much one interaction of each type adds to item_stats:popularity. */
export const POPULARITY_WEIGHTS = { view: 1, click: 2, add_to_cart: 3, purchase: 5, rating: 2, dismiss: 0 } as const;

/**
 * How much one interaction of each type pulls user_taste towards the item. A
 * rating r counts max(0, r - 2.5): only liked items shape the taste; dismissals never do.
 */
export const TASTE_WEIGHTS = { view: 0.25, click: 1, add_to_cart: 2, purchase: 3, dismiss: 0 } as const;
export const RATING_TASTE_PIVOT = 2.5;

const HOURS_SINCE_DEFAULT = 24 * 365;

function activityCounters(): FeatureDeclaration[] {
  return Object.entries(INTERACTION_COLUMNS).flatMap(([type, stem]) =>
    ACTIVITY_WINDOWS.map((w) => ({
      name: `${stem}_${w.suffix}`,
      type: "float" as const,
      default: 0,
      description: `${type} interactions, exponentially decayed with a ${w.halfLifeHours} h half-life`,
      readTime: { kind: "decay" as const, halfLifeHours: w.halfLifeHours },
    })),
  );
}

/**
 * The feature registry. item_content and user_taste are the shared contract
 * (ranking and candidate read them by these exact names); user_activity and
 * item_stats are this service's own.
 *
 * Times never live in float32 columns (an epoch in float32 is off by minutes):
 * every stored row carries its event time as float64 in its header, and
 * recency is computed from it at read time.
 */
export const FEATURE_VIEWS: ViewDeclaration[] = [
  {
    name: "item_content",
    entity: "item",
    version: 1,
    description: "What an item is, from the catalog (ItemUpsertedEvent).",
    maxAgeHours: 0,
    ttlDays: 0,
    features: [
      { name: "embedding", type: "vector", dimension: EMBEDDING_DIM, default: 0, description: "content embedding of the item" },
      {
        name: "category_hash",
        type: "vector",
        dimension: CATEGORY_BUCKETS,
        default: 0,
        description: "one-hot of the item's category, bucket = FNV-1a 32-bit of the category string mod 32",
      },
    ],
  },
  {
    name: "user_taste",
    entity: "user",
    version: 1,
    description: "What a user likes, from the items they interacted with.",
    maxAgeHours: 90 * 24,
    ttlDays: 180,
    features: [
      {
        name: "embedding",
        type: "vector",
        dimension: EMBEDDING_DIM,
        default: 0,
        description: `time-decayed (${TASTE_HALF_LIFE_HOURS} h half-life) mean of the embeddings of items interacted with, weighted by interaction type`,
      },
      {
        name: "category_affinity",
        type: "vector",
        dimension: CATEGORY_BUCKETS,
        default: 0,
        description: "time-decayed interaction weight per hashed category bucket (as item_content:category_hash), summing to 1",
      },
    ],
    state: [
      { name: "embedding_weight", halfLifeHours: TASTE_HALF_LIFE_HOURS, description: "decayed weight behind the embedding mean" },
      { name: "category_weight", halfLifeHours: TASTE_HALF_LIFE_HOURS, description: "decayed weight behind the category affinity" },
    ],
  },
  {
    name: "user_activity",
    entity: "user",
    version: 1,
    description: "How active a user is: decayed interaction counts, recency and click-through rate.",
    maxAgeHours: 30 * 24,
    ttlDays: 90,
    features: [
      ...activityCounters(),
      {
        name: "ctr_7d",
        type: "float",
        default: CTR_PRIOR,
        description: `clicks_7d / views_7d smoothed towards ${CTR_PRIOR} with the weight of ${CTR_PRIOR_VIEWS} views`,
        readTime: { kind: "smoothed_ratio", numerator: "clicks_7d", denominator: "views_7d", prior: CTR_PRIOR, strength: CTR_PRIOR_VIEWS },
      },
      {
        name: "hours_since_last_interaction",
        type: "float",
        default: HOURS_SINCE_DEFAULT,
        description: "hours from the user's newest interaction to the read",
        readTime: { kind: "age_hours" },
      },
      { name: "total_interactions", type: "int", default: 0, description: "interactions of any type, ever" },
    ],
  },
  {
    name: "item_stats",
    entity: "item",
    version: 1,
    description: "How an item performs: decayed views and clicks, CTR, popularity and recency.",
    maxAgeHours: 30 * 24,
    ttlDays: 90,
    features: [
      ...(["views", "clicks"] as const).flatMap((stem) =>
        ACTIVITY_WINDOWS.filter((w) => w.suffix !== "1h").map((w) => ({
          name: `${stem}_${w.suffix}`,
          type: "float" as const,
          default: 0,
          description: `${stem} of the item, exponentially decayed with a ${w.halfLifeHours} h half-life`,
          readTime: { kind: "decay" as const, halfLifeHours: w.halfLifeHours },
        })),
      ),
      {
        name: "purchases_7d",
        type: "float",
        default: 0,
        description: "purchases of the item, exponentially decayed with a 168 h half-life",
        readTime: { kind: "decay", halfLifeHours: 168 },
      },
      {
        name: "popularity",
        type: "float",
        default: 0,
        description: `interactions weighted by type (${JSON.stringify(POPULARITY_WEIGHTS)}), decayed with a ${POPULARITY_HALF_LIFE_HOURS} h half-life`,
        readTime: { kind: "decay", halfLifeHours: POPULARITY_HALF_LIFE_HOURS },
      },
      {
        name: "ctr_7d",
        type: "float",
        default: CTR_PRIOR,
        description: `clicks_7d / views_7d smoothed towards ${CTR_PRIOR} with the weight of ${CTR_PRIOR_VIEWS} views`,
        readTime: { kind: "smoothed_ratio", numerator: "clicks_7d", denominator: "views_7d", prior: CTR_PRIOR, strength: CTR_PRIOR_VIEWS },
      },
      {
        name: "hours_since_last_interaction",
        type: "float",
        default: HOURS_SINCE_DEFAULT,
        description: "hours from the item's newest interaction to the read",
        readTime: { kind: "age_hours" },
      },
      { name: "total_views", type: "int", default: 0, description: "views of the item, ever" },
      { name: "total_clicks", type: "int", default: 0, description: "clicks on the item, ever" },
    ],
  },
];
