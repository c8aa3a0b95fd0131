import { createHash, randomUUID } from "node:crypto";
import { InvalidArgumentError } from "../../kit/errors/errors.js";

import type { InteractionKind } from "../../kit/events/interaction-kinds.js";

export type { InteractionKind };

/** A validated interaction, ready to become an event. */
export interface Interaction {
  eventId: string;
  userId: string;
  itemId: string;
  kind: InteractionKind;
  occurredAt: Date;
  requestId: string;
  surface: string;
  value: number;
  attributes: Record<string, string>;
}

export interface InteractionInput {
  eventId: string;
  userId: string;
  itemId: string;
  kind: InteractionKind | undefined;
  occurredAt: Date | undefined;
  requestId: string;
  surface: string;
  value: number;
  attributes: Record<string, string>;
}

export interface InteractionLimits {
  /** How far in the future an occurred_at may be (client clock skew). */
  maxFutureSkewMs: number;
  /** How old an occurred_at may be (beyond the event retention it could never be replayed). */
  maxAgeMs: number;
  maxIdLength: number;
}

const ID = /^[\x21-\x7e]+$/;

/**
 * Validates an interaction (INVALID_ARGUMENT naming the field under `path`) and
 * gives it an event id: the client's idempotency key, or one derived from its
 * content when it says when it happened (so a retry is stored once), or a random one.
 */
export function validateInteraction(input: InteractionInput, limits: InteractionLimits, path: string, now = Date.now()): Interaction {
  const id = (field: string, value: string, required: boolean) => {
    if (value === "") {
      if (required) throw new InvalidArgumentError(`${path}.${field}`, "is required");
      return;
    }
    if (value.length > limits.maxIdLength) throw new InvalidArgumentError(`${path}.${field}`, `is longer than ${limits.maxIdLength} characters`);
    if (!ID.test(value)) throw new InvalidArgumentError(`${path}.${field}`, "must be printable ASCII without spaces");
  };
  id("user_id", input.userId, true);
  id("item_id", input.itemId, true);
  id("event_id", input.eventId, false);
  id("request_id", input.requestId, false);
  if (!input.kind) throw new InvalidArgumentError(`${path}.type`, "must be VIEW, CLICK, ADD_TO_CART, PURCHASE, RATING or DISMISS");
  if (!Number.isFinite(input.value)) throw new InvalidArgumentError(`${path}.value`, "must be a finite number");
  const occurredAt = input.occurredAt ?? new Date(now);
  const t = occurredAt.getTime();
  if (!Number.isFinite(t)) throw new InvalidArgumentError(`${path}.occurred_at`, "is not a valid time");
  if (t > now + limits.maxFutureSkewMs) {
    throw new InvalidArgumentError(`${path}.occurred_at`, `is more than ${Math.round(limits.maxFutureSkewMs / 1000)} s in the future`);
  }
  if (t < now - limits.maxAgeMs) {
    throw new InvalidArgumentError(`${path}.occurred_at`, `is more than ${Math.round(limits.maxAgeMs / 86_400_000)} days in the past`);
  }
  const eventId =
    input.eventId ||
    (input.occurredAt
      ? `i-${createHash("sha256").update([input.userId, input.itemId, input.kind, t, input.requestId].join("\u0000")).digest("hex").slice(0, 32)}`
      : randomUUID());
  return { ...input, kind: input.kind, occurredAt, eventId };
}
