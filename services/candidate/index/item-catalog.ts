const LISTED = 1;
const AVAILABLE = 2;

/** The catalog as serialised in a snapshot. */
export interface CatalogState {
  itemIds: string[];
  categories: string[];
  flags: Uint8Array;
}

/**
 * Item ids ↔ dense integer labels (the ANN index's labels and the key of every
 * other structure), with each item's category and whether it may be retrieved.
 * Items seen only in interactions get a label too, but stay unlisted (not
 * retrievable) until their ItemUpserted event arrives.
 */
export class ItemCatalog {
  private readonly itemIds: string[];
  private readonly categories: string[];
  private flags: Uint8Array;
  private readonly labels = new Map<string, number>();
  private unavailable = 0;

  constructor(state: CatalogState = { itemIds: [], categories: [], flags: new Uint8Array(1024) }) {
    this.itemIds = state.itemIds;
    this.categories = state.categories;
    this.flags = state.flags;
    this.itemIds.forEach((id, label) => {
      this.labels.set(id, label);
      if (this.flags[label] === LISTED) this.unavailable++;
    });
  }

  /** Listed items that are not available (retrieval must filter them out while there are any). */
  get unavailableCount(): number {
    return this.unavailable;
  }

  get size(): number {
    return this.itemIds.length;
  }

  label(itemId: string): number | undefined {
    return this.labels.get(itemId);
  }

  /** The item's label, assigning the next one to an item not seen before. */
  labelFor(itemId: string): number {
    let label = this.labels.get(itemId);
    if (label === undefined) {
      label = this.itemIds.length;
      this.itemIds.push(itemId);
      this.categories.push("");
      this.labels.set(itemId, label);
      if (label >= this.flags.length) {
        const grown = new Uint8Array(this.flags.length * 2);
        grown.set(this.flags);
        this.flags = grown;
      }
    }
    return label;
  }

  itemId(label: number): string {
    const id = this.itemIds[label];
    if (id === undefined) throw new Error(`no item has label ${label}`);
    return id;
  }

  /** The item's category; "" when unknown. */
  category(label: number): string {
    return this.categories[label] ?? "";
  }

  /** Listed by an ItemUpserted event and available. */
  retrievable(label: number): boolean {
    return ((this.flags[label] ?? 0) & (LISTED | AVAILABLE)) === (LISTED | AVAILABLE);
  }

  /** Records the item's current category and availability; returns the category it had before. */
  upsert(itemId: string, category: string, available: boolean): { label: number; previousCategory: string } {
    const label = this.labelFor(itemId);
    const previousCategory = this.category(label);
    if (this.flags[label] === LISTED) this.unavailable--;
    this.categories[label] = category;
    this.flags[label] = LISTED | (available ? AVAILABLE : 0);
    if (!available) this.unavailable++;
    return { label, previousCategory };
  }

  /** Labels of the items currently in `category`. */
  *labelsIn(category: string): Generator<number> {
    for (let label = 0; label < this.categories.length; label++) if (this.categories[label] === category) yield label;
  }

  export(): CatalogState {
    return { itemIds: [...this.itemIds], categories: [...this.categories], flags: this.flags.slice(0, Math.max(1, this.itemIds.length)) };
  }
}
