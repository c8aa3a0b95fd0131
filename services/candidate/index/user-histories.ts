export interface HistorySettings {
  /** Distinct recent items kept per user (the anchors of co-visitation). */
  recentItems: number;
  /** Items kept in a user's seen-set; the oldest are forgotten past this. */
  seenItems: number;
  /** Two interactions further apart than this are not "one after the other". */
  windowMs: number;
}

/** One user's history as serialised in a snapshot. */
export interface UserHistoryState {
  /** Most recent last. */
  recent: number[];
  recentTimes: number[];
  /** Oldest first. */
  seen: number[];
}

interface UserHistory {
  recent: number[];
  recentTimes: number[];
  seen: Set<number>;
}

/**
 * Per user: the distinct items interacted with lately (with times) and the
 * seen-set. Recording an interaction returns the items it follows within the
 * time window, nearest first: the co-visitation pairs it creates. Another
 * interaction with the item just interacted with (view → click → cart) only
 * refreshes its time and pairs nothing.
 */
export class UserHistories {
  private readonly users: Map<string, UserHistory>;

  constructor(
    private readonly settings: HistorySettings,
    state: Map<string, UserHistoryState> = new Map(),
  ) {
    this.users = new Map([...state].map(([id, s]) => [id, { recent: s.recent, recentTimes: s.recentTimes, seen: new Set(s.seen) }]));
  }

  get size(): number {
    return this.users.size;
  }

  /** Adds the item to the seen-set and, for a visit (not a dismissal), to the recent items. */
  record(userId: string, label: number, timeMs: number, visit: boolean): number[] {
    let user = this.users.get(userId);
    if (!user) this.users.set(userId, (user = { recent: [], recentTimes: [], seen: new Set() }));
    user.seen.delete(label);
    user.seen.add(label);
    if (user.seen.size > this.settings.seenItems) user.seen.delete(user.seen.values().next().value as number);
    if (!visit) return [];

    const last = user.recent.length - 1;
    if (user.recent[last] === label) {
      user.recentTimes[last] = Math.max(user.recentTimes[last] as number, timeMs);
      return [];
    }
    const preceding: number[] = [];
    for (let i = last; i >= 0; i--) {
      if (user.recent[i] !== label && Math.abs(timeMs - (user.recentTimes[i] as number)) <= this.settings.windowMs) {
        preceding.push(user.recent[i] as number);
      }
    }
    const at = user.recent.indexOf(label);
    if (at >= 0) {
      user.recent.splice(at, 1);
      user.recentTimes.splice(at, 1);
    }
    user.recent.push(label);
    user.recentTimes.push(timeMs);
    if (user.recent.length > this.settings.recentItems) {
      user.recent.shift();
      user.recentTimes.shift();
    }
    return preceding;
  }

  /** Recent items, most recent first. */
  recent(userId: string): number[] {
    return [...(this.users.get(userId)?.recent ?? [])].reverse();
  }

  seen(userId: string): ReadonlySet<number> {
    return this.users.get(userId)?.seen ?? new Set();
  }

  export(): Map<string, UserHistoryState> {
    return new Map(
      [...this.users].map(([id, u]) => [id, { recent: [...u.recent], recentTimes: [...u.recentTimes], seen: [...u.seen] }]),
    );
  }
}
