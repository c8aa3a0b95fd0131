import { z } from "zod";
import { CATEGORIES } from "./categories.js";

const HOUR_MS = 3_600_000;

export const WORLD_PRESETS = {
  /** Tests and quick experiments. */
  small: { items: 2_000, users: 400, days: 14 },
  /** The local stack: generated and published in seconds. */
  default: { items: 20_000, users: 5_000, days: 14 },
  /** Candidate-retrieval benchmarks. */
  large: { items: 100_000, users: 20_000, days: 14 },
} as const;

export type WorldPreset = keyof typeof WORLD_PRESETS;

export const WORLD_PRESET_NAMES = Object.keys(WORLD_PRESETS) as WorldPreset[];

const optionsSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffff_ffff),
    items: z.number().int().min(CATEGORIES.length).max(5_000_000),
    users: z.number().int().min(1).max(1_000_000),
    days: z.number().int().min(2).max(365),
    /** Trailing days kept back as ground truth, never published. */
    heldoutDays: z.number().int().min(1),
    /** Mean sessions per user per day (times the user's activity). */
    sessionsPerUserDay: z.number().positive().max(50),
    /** End of the history (exclusive), epoch milliseconds on a whole hour. */
    endTime: z.number().int().refine((t) => t % HOUR_MS === 0, "must be on a whole hour"),
  })
  .refine((o) => o.heldoutDays < o.days, { message: "must be less than days", path: ["heldoutDays"] });

export type WorldOptions = z.infer<typeof optionsSchema>;

export interface WorldOptionsInput extends Partial<WorldOptions> {
  preset?: WorldPreset;
  endTime: number;
}

/** Preset sizes (default: "default"), overridden by explicit values, validated. Throws naming the bad option. */
export function resolveWorldOptions(input: WorldOptionsInput): WorldOptions {
  const { preset = "default", ...explicit } = input;
  const defined = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  const result = optionsSchema.safeParse({ seed: 42, heldoutDays: 1, sessionsPerUserDay: 0.38, ...WORLD_PRESETS[preset], ...defined });
  if (result.success) return result.data;
  throw new RangeError(result.error.issues.map((i) => `world option ${i.path.join(".")}: ${i.message}`).join("; "));
}

/** The current time rounded down to the hour: the default end of a generated history. */
export function worldEndForNow(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / HOUR_MS) * HOUR_MS;
}
