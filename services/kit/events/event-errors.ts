/** The event can never be processed (undecodable, invalid): dead-letter it at once. */
export class PoisonEventError extends Error {
  override name = "PoisonEventError";
}

/**
 * A store the handler writes to is down. The consumer pauses on this event
 * without acking it and retries until the store is back: nothing is lost and
 * nothing is dead-lettered for an outage.
 */
export class DependencyDownError extends Error {
  override name = "DependencyDownError";
}
