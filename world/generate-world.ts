import { generateCatalog } from "./catalog.js";
import { generateUserHistory, type GeneratedInteraction } from "./history.js";
import { generateUsers } from "./users.js";
import type { WorldInteraction, WorldItem, WorldUser } from "./world-types.js";
import type { WorldOptions } from "./world-options.js";

const DAY_MS = 86_400_000;

export interface World {
  options: WorldOptions;
  items: WorldItem[];
  users: WorldUser[];
  /** The published history, oldest first. */
  interactions: WorldInteraction[];
  /** Every interaction at or after `heldoutFrom`, oldest first: never published, the ground truth of evaluations. */
  heldout: WorldInteraction[];
  /** Epoch ms where the held-out slice starts: every training interaction is earlier. */
  heldoutFrom: number;
}

/** "2025061413" for 2025-06-14T13:00Z: names a world's history in its event ids. */
export function historyStamp(endTime: number): string {
  return new Date(endTime).toISOString().slice(0, 13).replace(/[-T]/g, "");
}

/**
 * The whole synthetic world for `options`; a pure function of them (same
 * options → same world). The history is split in time: the last
 * `heldoutDays` are held out.
 */
export function generateWorld(options: WorldOptions): World {
  const catalog = generateCatalog(options);
  const users = generateUsers(options, catalog);
  const all: GeneratedInteraction[] = [];
  users.forEach((user, u) => {
    for (const interaction of generateUserHistory(options, catalog, user, u)) all.push(interaction);
  });
  // Sorting indexes keeps ties in generation order (user, then time) without copying the records.
  const order = Uint32Array.from(all, (_, i) => i).sort((a, b) => (all[a]?.occurredAt ?? 0) - (all[b]?.occurredAt ?? 0) || a - b);

  const prefix = `world-${options.seed}-${historyStamp(options.endTime)}-`;
  const heldoutFrom = options.endTime - options.heldoutDays * DAY_MS;
  const interactions: WorldInteraction[] = [];
  const heldout: WorldInteraction[] = [];
  order.forEach((index, n) => {
    const g = all[index];
    if (!g) return;
    const interaction: WorldInteraction = {
      eventId: `${prefix}${n + 1}`,
      userId: g.userId,
      itemId: g.itemId,
      type: g.type,
      occurredAt: g.occurredAt,
      value: g.value,
      session: g.session,
      surface: g.surface,
    };
    (interaction.occurredAt < heldoutFrom ? interactions : heldout).push(interaction);
  });
  return { options, items: catalog.items, users, interactions, heldout, heldoutFrom };
}
