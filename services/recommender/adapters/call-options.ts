/** How a downstream call's time is bounded: its own timeout within the request's deadline. */
export interface CallBudget {
  timeoutMs: number;
  /** Kept back from the request deadline for the work after this call. */
  marginMs: number;
}
