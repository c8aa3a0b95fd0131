import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { validateDefinition } from "./definition-validation.js";
import { definition } from "../testing/definitions.js";
import type { ExperimentDefinition } from "./experiment-definition.js";

function fieldOf(d: ExperimentDefinition): string {
  try {
    validateDefinition(d);
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.field;
    throw err;
  }
  return "(valid)";
}

const three = (w: [number, number, number]) => w.map((weight, i) => ({ name: `v${i}`, weight, params: {} }));

describe("definition validation", () => {
  it("accepts valid definitions, weights summing to 1 within 1e-9", () => {
    expect(fieldOf(definition())).toBe("(valid)");
    expect(fieldOf(definition({ variants: three([0.1, 0.2, 0.7]), controlVariant: "v0" }))).toBe("(valid)");
    expect(fieldOf(definition({ variants: three([1 / 3, 1 / 3, 1 / 3]), controlVariant: "v0" }))).toBe("(valid)");
    expect(fieldOf(definition({ layer: "home", layerRange: { start: 0.25, end: 1 }, coverage: 0 }))).toBe("(valid)");
  });

  it.each<[string, Partial<ExperimentDefinition>]>([
    ["experiment.name", { name: "" }],
    ["experiment.name", { name: "Has Caps" }],
    ["experiment.name", { name: "x".repeat(65) }],
    ["experiment.layer", { layer: "bad layer" }],
    ["experiment.variants", { variants: [{ name: "control", weight: 1, params: {} }] }],
    ["experiment.variants", { variants: three([0.3, 0.3, 0.3 + 2e-9]), controlVariant: "v0" }],
    ["experiment.variants[2].weight", { variants: three([0.5, 0.5, 0]), controlVariant: "v0" }],
    ["experiment.variants[1].name", { variants: [{ name: "a", weight: 0.5, params: {} }, { name: "", weight: 0.5, params: {} }], controlVariant: "a" }],
    ['experiment.variants[0].params["k"]', { variants: [{ name: "control", weight: 0.5, params: { k: "v".repeat(1025) } }, { name: "t", weight: 0.5, params: {} }] }],
    ["experiment.control_variant", { controlVariant: "" }],
    ["experiment.coverage", { coverage: Number.NaN }],
    ["experiment.targeting[0].attribute", { targeting: [{ attribute: "", operator: "in", values: ["x"] }] }],
    ["experiment.targeting[0].values", { targeting: [{ attribute: "device", operator: "not_in", values: [] }] }],
    ["experiment.forced_variants", { forcedVariants: { "": "control" } }],
    ["experiment.status", { status: "unspecified" }],
    ["experiment.end_time", { startTimeMs: 5, endTimeMs: 5 }],
    ["experiment.start_time", { startTimeMs: Number.NaN }],
    ["experiment.end_time", { endTimeMs: Number.NaN }],
    ["experiment.conversion_event", { conversionEvent: "click" }],
    ["experiment.layer_range.start", { layer: "home", layerRange: { start: 1, end: 1 } }],
  ])("names %s", (field, overrides) => {
    expect(fieldOf(definition(overrides))).toBe(field);
  });
});
