/** One item a source retrieved, with that source's own score (higher is better). */
export interface SourceItem {
  itemId: string;
  score: number;
}

/** What the candidate index knows about a user from the event stream. */
export interface UserProfile {
  userId: string;
  /** Distinct items the user interacted with lately, most recent first. */
  recentItems: readonly string[];
  /** Items the user interacted with (the newest ones, bounded), never to be retrieved again. */
  seen: ReadonlySet<string>;
}

/** The situation of one retrieval, as every source sees it. */
export interface SourceContext {
  /** Free-form request attributes (device, country, ...). */
  attributes: Readonly<Record<string, string>>;
  /** Restrict to this category; undefined: all. */
  category: string | undefined;
  /** Epoch ms by which this source must have answered (its budget, cut to the call's deadline). */
  deadline: number;
}

export type SourceStatus = "ok" | "timed_out" | "skipped" | "failed";

/** How one source fared in one call. */
export interface SourceReport {
  source: string;
  status: SourceStatus;
  /** Why it was skipped, cut off or failed; empty when ok. */
  reason: string;
  returned: number;
  latencyMs: number;
}

/** What one source said about a candidate. */
export interface SourceScore {
  source: string;
  score: number;
  /** 0-based rank within that source. */
  rank: number;
}

/** One merged candidate with its provenance. */
export interface Candidate {
  itemId: string;
  /** Merged score; the order of the merged list. */
  score: number;
  sources: SourceScore[];
  category: string;
}

/** A validated Generate request. */
export interface GenerateQuery {
  userId: string;
  k: number;
  attributes: Readonly<Record<string, string>>;
  /** Source ids to run, deduplicated, never empty. */
  sources: readonly string[];
  excludeItemIds: readonly string[];
  /** Per-source maximum share of k in percent, overriding the configured ones. */
  quotaPercents: Readonly<Record<string, number>>;
  category: string | undefined;
}

export interface GenerateResult {
  candidates: Candidate[];
  sources: SourceReport[];
  /** No history and no personalised source answered: the result is popularity only. */
  unknownUser: boolean;
  /** Candidates dropped because the user had seen them or the request excluded them. */
  excluded: number;
}

/** What StreamGenerate sends: each source's own batch as it finishes, then the merged summary. */
export type GenerateEvent =
  | { kind: "batch"; report: SourceReport; candidates: Candidate[] }
  | { kind: "summary"; result: GenerateResult };
