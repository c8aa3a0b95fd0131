import type { FloorResults } from "../in-process/floor-worker.js";
import type { FreshnessResults } from "../phases/freshness-phase.js";
import type { ProfileResults } from "../phases/profile-phase.js";
import type { RankingResults } from "../phases/ranking-phase.js";
import type { RecommendResults } from "../phases/recommend-phase.js";
import type { ServiceFigure } from "../phases/services-phase.js";
import type { SessionResults } from "../phases/session-phase.js";
import type { TrackResults } from "../phases/track-phase.js";
import type { LoadCheck } from "../quiet-machine.js";

/** Where and how a run happened: the header of every table. */
export interface RunInfo {
  date: string;
  commit: string;
  command: string;
  machine: string;
  node: string;
  /** 1-minute load average before the stack started, and the check before measuring. */
  loadAtStart: number;
  loadCheck: LoadCheck;
  loadAtEnd: number;
  world: string;
  durationMs: number;
  quick: boolean;
  /** The phases run (all of them unless `--only`). */
  phases: string[];
  partial: boolean;
}

/** Every phase's results; a phase left out (`--only`) is absent. */
export interface SuiteResults {
  info: RunInfo;
  recommend?: RecommendResults;
  floor?: FloorResults;
  services?: ServiceFigure[];
  ranking?: RankingResults;
  freshness?: FreshnessResults;
  session?: SessionResults;
  profile?: ProfileResults;
  track?: TrackResults;
  /** Load average at the start of each phase. */
  phaseLoads: Record<string, number>;
}
