/** How long each phase runs; `--quick` is the ~1 minute smoke run. All durations in ms. */
export interface SuiteSettings {
  quick: boolean;
  /** Longest wait for the 1-minute load average to fall to the threshold before measuring. */
  quietWaitMs: number;
  warmupMs: number;
  /** Pause before each Recommend run, so breakers close and backlogs drain. */
  settleMs: number;
  /** Recommend: one caller back to back, the saturation run, each open-loop rate. */
  recommendSequentialMs: number;
  saturationMs: number;
  saturationConcurrency: number;
  openLoopMs: number;
  openLoopRates: number[];
  /** The profiled saturation run (0: no profile). */
  profileMs: number;
  /** Per-service figures (each service interleaved with its floor). */
  serviceMs: number;
  /** Ranking: each batching / threads variant at 32 callers. */
  rankingVariantMs: number;
  rankingVariants: "all" | "batching";
  rankingCallers: number;
  freshnessSamples: number;
  sessionSamples: number;
  trackMs: number;
  trackConcurrency: number;
  trackStreamBatch: number;
}

export const LOAD_THRESHOLD = 1.5;

export function suiteSettings(quick: boolean): SuiteSettings {
  const common = { quick, saturationConcurrency: 32, rankingCallers: 32, trackConcurrency: 64, trackStreamBatch: 500 };
  if (quick) {
    return {
      ...common,
      quietWaitMs: 10_000,
      warmupMs: 3_000,
      settleMs: 1_000,
      recommendSequentialMs: 2_000,
      saturationMs: 3_000,
      openLoopMs: 2_000,
      openLoopRates: [100, 300],
      profileMs: 0,
      serviceMs: 1_500,
      rankingVariantMs: 2_000,
      rankingVariants: "batching",
      freshnessSamples: 30,
      sessionSamples: 8,
      trackMs: 2_000,
    };
  }
  return {
    ...common,
    quietWaitMs: 180_000,
    warmupMs: 10_000,
    settleMs: 3_000,
    recommendSequentialMs: 15_000,
    saturationMs: 20_000,
    openLoopMs: 15_000,
    openLoopRates: [100, 300, 500],
    profileMs: 10_000,
    serviceMs: 8_000,
    rankingVariantMs: 8_000,
    rankingVariants: "all",
    freshnessSamples: 200,
    sessionSamples: 40,
    trackMs: 10_000,
  };
}
