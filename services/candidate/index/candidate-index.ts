import type { CandidateReadModel } from "../domain/candidate-generator.js";
import type { UserProfile } from "../domain/candidate-types.js";
import { CoVisitationCounts, type CoVisitationState } from "./co-visitation-counts.js";
import { DecayedPopularity, type PopularitySettings } from "./decayed-popularity.js";
import type { IndexEvent, InteractionHappened, ItemChange } from "./index-events.js";
import { isVisit, type InteractionWeights } from "./interaction-weights.js";
import { ItemCatalog, type CatalogState } from "./item-catalog.js";
import { UserHistories, type HistorySettings, type UserHistoryState } from "./user-histories.js";
import type { VectorIndex } from "./vector-index.js";

export interface IndexSettings {
  popularity: PopularitySettings;
  history: HistorySettings;
  /** Neighbours kept per item for co-visitation. */
  coVisitationNeighbours: number;
  weights: InteractionWeights;
}

/** Everything but the vectors, as a snapshot stores it. */
export interface IndexState {
  /** Stream sequence of the last event applied. */
  sequence: number;
  catalog: CatalogState;
  popularity: Float64Array;
  coVisitation: CoVisitationState;
  users: Map<string, UserHistoryState>;
}

/**
 * The candidate service's projection of the event stream: the catalog, the
 * ANN vectors, decayed popularity, co-visitation and per-user histories. Events
 * are applied in stream order, each once: an event at or below the last
 * applied sequence (a redelivery) changes nothing, so replaying the stream
 * from any point before the state's sequence is harmless, and replaying it
 * from the start rebuilds the same state.
 */
export class CandidateIndex implements CandidateReadModel {
  readonly catalog: ItemCatalog;
  readonly popularity: DecayedPopularity;
  readonly coVisitation: CoVisitationCounts;
  readonly histories: UserHistories;
  private sequence: number;

  constructor(
    private readonly settings: IndexSettings,
    readonly vectors: VectorIndex,
    state?: IndexState,
  ) {
    this.sequence = state?.sequence ?? 0;
    this.catalog = new ItemCatalog(state?.catalog);
    this.popularity = state
      ? DecayedPopularity.restore(settings.popularity, state.popularity, (label) => this.catalog.category(label))
      : new DecayedPopularity(settings.popularity);
    this.coVisitation = state
      ? CoVisitationCounts.restore(settings.coVisitationNeighbours, state.coVisitation)
      : new CoVisitationCounts(settings.coVisitationNeighbours);
    this.histories = new UserHistories(settings.history, state?.users);
  }

  /** Sequence of the last event applied (0: none). */
  get lastSequence(): number {
    return this.sequence;
  }

  /** Applies the event at `sequence` (undefined: an event this index ignores); false when it was already applied. */
  apply(sequence: number, event: IndexEvent | undefined): boolean {
    if (sequence <= this.sequence) return false;
    if (event?.kind === "item") this.applyItem(event);
    else if (event?.kind === "interaction") this.applyInteraction(event);
    this.sequence = sequence;
    return true;
  }

  profile(userId: string): UserProfile {
    const seen = new Set<string>();
    for (const label of this.histories.seen(userId)) seen.add(this.catalog.itemId(label));
    return { userId, recentItems: this.histories.recent(userId).map((l) => this.catalog.itemId(l)), seen };
  }

  categoryOf(itemId: string): string {
    const label = this.catalog.label(itemId);
    return label === undefined ? "" : this.catalog.category(label);
  }

  export(): IndexState {
    return {
      sequence: this.sequence,
      catalog: this.catalog.export(),
      popularity: this.popularity.export(),
      coVisitation: this.coVisitation.export(),
      users: this.histories.export(),
    };
  }

  private applyItem(event: ItemChange): void {
    const { label, previousCategory } = this.catalog.upsert(event.itemId, event.category, event.available);
    this.popularity.recategorise(label, previousCategory, event.category, () => this.catalog.labelsIn(previousCategory));
    if (event.embedding) this.vectors.upsert(label, event.embedding);
  }

  private applyInteraction(event: InteractionHappened): void {
    const label = this.catalog.labelFor(event.itemId);
    this.popularity.add(label, this.catalog.category(label), this.settings.weights[event.interaction], event.timeMs);
    const preceding = this.histories.record(event.userId, label, event.timeMs, isVisit(event.interaction));
    preceding.forEach((anchor, distance) => this.coVisitation.add(anchor, label, 1 / (distance + 1)));
  }
}
