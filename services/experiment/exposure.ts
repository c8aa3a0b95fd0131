/**
 * Exposure hygiene shared with the callers that log exposures (the
 * recommender): pure, with no service dependencies, so importing it pulls in
 * nothing else of the experiment service.
 */

/** The assignments that may be logged as exposures: forced (QA or fallback) ones never are. */
export function exposuresToLog<A extends { readonly forced: boolean }>(assignments: readonly A[]): A[] {
  return assignments.filter((a) => !a.forced);
}

/**
 * Nats-Msg-Id of the exposure of one (request, experiment): a retried publish
 * of the same exposure is stored once. `experiment` is "" for a request that
 * ran in no experiment.
 */
export function exposureMessageId(requestId: string, experiment: string): string {
  return `exposure:${requestId}:${experiment}`;
}
