import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { validateInteraction, type InteractionInput } from "./interaction.js";

const limits = { maxFutureSkewMs: 300_000, maxAgeMs: 30 * 86_400_000, maxIdLength: 128 };
const now = Date.parse("2026-11-23T10:00:00Z");
const input = (over: Partial<InteractionInput> = {}): InteractionInput => ({
  eventId: "",
  userId: "u1",
  itemId: "i1",
  kind: "click",
  occurredAt: new Date(now - 1000),
  requestId: "r1",
  surface: "home",
  value: 0,
  attributes: {},
  ...over,
});

describe("validateInteraction", () => {
  it("derives a stable event id from the content when the client gives a time but no id", () => {
    const a = validateInteraction(input(), limits, "interaction", now);
    const b = validateInteraction(input(), limits, "interaction", now);
    expect(a.eventId).toBe(b.eventId);
    expect(validateInteraction(input({ itemId: "i2" }), limits, "interaction", now).eventId).not.toBe(a.eventId);
    expect(validateInteraction(input({ eventId: "client-key" }), limits, "interaction", now).eventId).toBe("client-key");
  });

  it("stamps the receive time when the client gives none", () => {
    expect(validateInteraction(input({ occurredAt: undefined }), limits, "interaction", now).occurredAt.getTime()).toBe(now);
  });

  it.each([
    [{ userId: "" }, "interaction.user_id: is required"],
    [{ itemId: "" }, "interaction.item_id: is required"],
    [{ itemId: "has space" }, "interaction.item_id: must be printable ASCII without spaces"],
    [{ userId: "x".repeat(129) }, "interaction.user_id: is longer than 128 characters"],
    [{ kind: undefined }, "interaction.type: must be VIEW, CLICK, ADD_TO_CART, PURCHASE, RATING or DISMISS"],
    [{ value: Number.NaN }, "interaction.value: must be a finite number"],
    [{ occurredAt: new Date(now + 3_600_000) }, "interaction.occurred_at: is more than 300 s in the future"],
    [{ occurredAt: new Date(now - 40 * 86_400_000) }, "interaction.occurred_at: is more than 30 days in the past"],
  ])("rejects %o", (over, message) => {
    const attempt = () => validateInteraction(input(over), limits, "interaction", now);
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(message);
  });
});
