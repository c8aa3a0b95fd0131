import { InvalidArgumentError, NotFoundError } from "../../kit/errors/errors.js";
import type { ExperimentRegistry } from "./experiment-registry.js";
import { analyseExperiment, type ExperimentResults } from "./experiment-results.js";
import type { ResultsStore } from "./results-store.js";

/** Results of a defined experiment from the analysis state. */
export class ExperimentAnalysis {
  constructor(
    private readonly registry: ExperimentRegistry,
    private readonly store: ResultsStore,
  ) {}

  async results(name: string): Promise<ExperimentResults> {
    if (name === "") throw new InvalidArgumentError("name", "is required");
    const stored = this.registry.get(name);
    if (!stored) throw new NotFoundError(`experiment "${name}" does not exist`);
    const { definition } = stored;
    const counts = await this.store.counts(name, definition.variants.map((v) => v.name));
    return analyseExperiment(definition, counts);
  }
}
