import type { FeatureRegistry, FeatureView } from "../registry/feature-registry.js";
import type { FeatureEvent, InteractionHappened } from "./feature-events.js";
import { InteractionRules } from "./interaction-rules.js";
import { ItemRules } from "./item-rules.js";
import { storageKey, type RowStore, type RowWrite } from "./row-store.js";
import { SEQUENCE_BYTES, decodeRow, encodeRow, type StoredRow } from "./stored-row.js";
import { applyWrite } from "./write-rules.js";

interface Slot {
  view: FeatureView;
  /** Sequence mark as read, for the compare-and-set; null when absent. */
  expected: Uint8Array | null;
  row: StoredRow | undefined;
  dirty: boolean;
}

const MAX_ATTEMPTS = 3;

/**
 * Applies stream events to the stored rows: the one piece of code behind the
 * live aggregator, WriteFeatures' events and replay. A batch is one read of
 * every row it touches, the events applied in stream order in memory, and one
 * pipelined compare-and-set write of the changed rows.
 *
 * Idempotent: each row remembers the sequence of the newest event applied to
 * it, and an event at or below it is skipped for that row, so a redelivered
 * event (even one that was half applied when Redis went away) changes nothing
 * and replay in stream order rebuilds the same bytes. This assumes one writer
 * applying the stream in order (one active aggregator); the compare-and-set
 * turns a second writer into a retried conflict rather than a lost update.
 */
export class FeatureProjector {
  private readonly interactions: InteractionRules;
  private readonly items: ItemRules;

  constructor(
    private readonly registry: FeatureRegistry,
    private readonly store: RowStore,
  ) {
    this.interactions = new InteractionRules(registry);
    this.items = new ItemRules(registry);
  }

  /** Applies the events (in stream order); resolves with the number of rows written. */
  async apply(events: FeatureEvent[]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const { written, conflicts } = await this.attempt(events);
      if (conflicts === 0) return written;
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`${conflicts} feature rows changed while being updated, ${attempt} times in a row: is a second aggregator running?`);
      }
    }
  }

  private async attempt(events: FeatureEvent[]): Promise<{ written: number; conflicts: number }> {
    const slots = await this.load(events);
    const slot = (view: FeatureView, id: string) => slots.get(storageKey(view, id)) as Slot;
    for (const ev of events) {
      if (ev.kind === "interaction") this.applyInteraction(ev, slot);
      else if (ev.kind === "item_upserted") {
        const s = slot(this.items.contentView, ev.itemId);
        if (!applied(s, ev.sequence)) update(s, this.items.itemContent(ev));
      } else {
        const view = this.writtenView(ev.view);
        for (const entity of ev.entities) {
          const s = slot(view, entity.entityId);
          if (!applied(s, ev.sequence)) update(s, applyWrite(view, s.row, entity, ev.sequence));
        }
      }
    }
    const writes: RowWrite[] = [];
    for (const [key, s] of slots) {
      if (s.dirty && s.row) writes.push({ key, expected: s.expected, blob: encodeRow(s.view, s.row), ttlMs: s.view.ttlMs });
    }
    if (writes.length === 0) return { written: 0, conflicts: 0 };
    const results = await this.store.writeIfUnchanged(writes);
    const written = results.filter(Boolean).length;
    return { written, conflicts: results.length - written };
  }

  private applyInteraction(ev: InteractionHappened, slot: (view: FeatureView, id: string) => Slot): void {
    const rules = this.interactions;
    const activity = slot(rules.activityView, ev.userId);
    if (!applied(activity, ev.sequence)) update(activity, rules.activity(activity.row, ev));
    const stats = slot(rules.statsView, ev.itemId);
    if (!applied(stats, ev.sequence)) update(stats, rules.itemStats(stats.row, ev));
    const taste = slot(rules.tasteView, ev.userId);
    if (!applied(taste, ev.sequence)) {
      const next = rules.userTaste(taste.row, ev, slot(rules.contentView, ev.itemId).row);
      if (next) update(taste, next);
    }
  }

  /** One read of every row the batch touches. */
  private async load(events: FeatureEvent[]): Promise<Map<string, Slot>> {
    const slots = new Map<string, Slot>();
    const want = (view: FeatureView, id: string) => {
      const key = storageKey(view, id);
      if (!slots.has(key)) slots.set(key, { view, expected: null, row: undefined, dirty: false });
    };
    const r = this.interactions;
    for (const ev of events) {
      if (ev.kind === "interaction") {
        want(r.activityView, ev.userId);
        want(r.statsView, ev.itemId);
        want(r.tasteView, ev.userId);
        want(r.contentView, ev.itemId);
      } else if (ev.kind === "item_upserted") {
        want(this.items.contentView, ev.itemId);
      } else {
        const view = this.writtenView(ev.view);
        for (const entity of ev.entities) want(view, entity.entityId);
      }
    }
    const keys = [...slots.keys()];
    const blobs = await this.store.read(keys);
    keys.forEach((key, i) => {
      const blob = blobs[i];
      const s = slots.get(key);
      if (!s || !blob) return;
      s.expected = blob.slice(0, SEQUENCE_BYTES);
      s.row = decodeRow(s.view, blob);
    });
    return slots;
  }

  private writtenView(name: string): FeatureView {
    const view = this.registry.find(name);
    if (!view) throw new Error(`features written to unknown view "${name}": events are validated before they are applied`);
    return view;
  }
}

function applied(slot: Slot, sequence: number): boolean {
  return slot.row !== undefined && slot.row.sequence >= sequence;
}

function update(slot: Slot, row: StoredRow): void {
  slot.row = row;
  slot.dirty = true;
}
