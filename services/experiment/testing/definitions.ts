import type { ExperimentDefinition } from "../domain/experiment-definition.js";

/** A valid running 50/50 definition; override what a test is about. */
export function definition(overrides: Partial<ExperimentDefinition> = {}): ExperimentDefinition {
  return {
    name: "exp",
    description: "",
    layer: "",
    salt: "",
    variants: [
      { name: "control", weight: 0.5, params: {} },
      { name: "treatment", weight: 0.5, params: {} },
    ],
    controlVariant: "control",
    coverage: 1,
    targeting: [],
    forcedVariants: {},
    status: "running",
    startTimeMs: undefined,
    endTimeMs: undefined,
    conversionEvent: "",
    layerRange: undefined,
    ...overrides,
  };
}
