import { z } from "zod";
import { WORLD_INTERACTION_TYPES, PRICE_BANDS } from "./world-types.js";

const countsByType = z.record(z.enum(WORLD_INTERACTION_TYPES), z.number().int());

/** manifest.json of a world directory. */
export const worldManifestSchema = z.object({
  format: z.number().int(),
  options: z.object({
    seed: z.number().int(),
    items: z.number().int(),
    users: z.number().int(),
    days: z.number().int(),
    heldoutDays: z.number().int(),
    sessionsPerUserDay: z.number(),
    endTime: z.number().int(),
  }),
  /** ISO time where the history ends (exclusive). */
  endTime: z.string(),
  /** ISO time where the held-out slice starts. */
  heldoutFrom: z.string(),
  counts: z.object({
    items: z.number().int(),
    users: z.number().int(),
    interactions: z.number().int(),
    heldout: z.number().int(),
    interactionsByType: countsByType,
    heldoutByType: countsByType,
  }),
  /** sha256 of each file. */
  files: z.object({ items: z.string(), users: z.string(), interactions: z.string(), heldout: z.string() }),
  /** sha256 over the file digests: equal fingerprints, identical worlds. */
  fingerprint: z.string(),
});

export type WorldManifest = z.infer<typeof worldManifestSchema>;

const embedding = z.array(z.number()).length(32);

export const worldItemSchema = z.object({
  id: z.string().min(1),
  category: z.string().min(1),
  tags: z.array(z.string()),
  brand: z.string(),
  priceBand: z.enum(PRICE_BANDS),
  price: z.number(),
  embedding,
  createdAt: z.number().int(),
  popularityRank: z.number().int().positive(),
});

export const worldUserSchema = z.object({
  id: z.string().min(1),
  taste: embedding,
  tasteComponents: z.array(z.object({ category: z.string(), brand: z.string(), weight: z.number() })).min(1),
  activity: z.number(),
  preferredHour: z.number().int(),
});

export const worldInteractionSchema = z.object({
  eventId: z.string().min(1),
  userId: z.string().min(1),
  itemId: z.string().min(1),
  type: z.enum(WORLD_INTERACTION_TYPES),
  occurredAt: z.number().int(),
  value: z.number(),
  session: z.string(),
  surface: z.string(),
});
