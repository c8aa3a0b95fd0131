import { describe, expect, it } from "vitest";
import { InteractionType } from "../../../gen/recmesh/common/v1/interaction.js";
import { INTERACTION_KINDS, interactionKindOf, interactionTypeOf } from "./interaction-kinds.js";
import { interactionSubject } from "./subjects.js";

describe("interaction kinds", () => {
  it("map every kind to its proto type and back, and name its subject", () => {
    for (const kind of INTERACTION_KINDS) {
      expect(interactionKindOf(interactionTypeOf(kind))).toBe(kind);
      expect(interactionSubject(interactionTypeOf(kind))).toBe(`recmesh.events.interaction.${kind}`);
    }
    expect(interactionKindOf(InteractionType.INTERACTION_TYPE_UNSPECIFIED)).toBeUndefined();
    expect(interactionKindOf(99 as InteractionType)).toBeUndefined();
  });
});
