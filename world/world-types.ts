/** What a user did, in funnel order (the world's names for the InteractionType values). */
export const WORLD_INTERACTION_TYPES = ["view", "click", "add_to_cart", "purchase"] as const;

export type WorldInteractionType = (typeof WORLD_INTERACTION_TYPES)[number];

export const PRICE_BANDS = ["budget", "mid", "premium", "luxury"] as const;

export type PriceBand = (typeof PRICE_BANDS)[number];

export interface WorldItem {
  id: string;
  category: string;
  tags: string[];
  brand: string;
  priceBand: PriceBand;
  price: number;
  /** 32-dim unit-norm content embedding, clustered by category, then brand, then tags. */
  embedding: number[];
  /** Epoch milliseconds. */
  createdAt: number;
  /** Ground truth: 1-based rank of the item's exposure weight (1 = most exposed). */
  popularityRank: number;
}

export interface TasteComponent {
  category: string;
  brand: string;
  weight: number;
}

export interface WorldUser {
  id: string;
  /** Ground truth: 32-dim unit-norm latent taste. */
  taste: number[];
  /** The categories (and favourite brand in each) the taste mixes, weights summing to 1. */
  tasteComponents: TasteComponent[];
  /** Relative activity; the population mean is about 1. */
  activity: number;
  /** Hour of day (UTC) around which the user's sessions start. */
  preferredHour: number;
}

export interface WorldInteraction {
  /** Deterministic id, also the Nats-Msg-Id of its event. */
  eventId: string;
  userId: string;
  itemId: string;
  type: WorldInteractionType;
  /** Epoch milliseconds. */
  occurredAt: number;
  /** Dwell seconds for a view, price for a purchase, 0 otherwise. */
  value: number;
  session: string;
  /** "category" (browsing a category), "home" (exploring), "recent" (coming back to an item). */
  surface: string;
}
