import type { ExperimentRegistry } from "../../../services/experiment/domain/experiment-registry.js";
import type { ExperimentPort } from "../../../services/recommender/pipeline/ports.js";
import type { Assignment } from "../../../services/recommender/pipeline/types.js";

/** The recommender's ExperimentPort answered by the experiment service's registry in this process (what Assign runs, no RPC). */
export class InProcessExperiments implements ExperimentPort {
  constructor(private readonly registry: ExperimentRegistry) {}

  async assign(userId: string, context: Record<string, string>): Promise<Assignment[]> {
    return this.registry.set.assign(userId, context, Date.now());
  }

  controlAssignments(): Assignment[] {
    return this.registry.list().flatMap(({ definition: e }) => {
      const control = e.variants.find((v) => v.name === e.controlVariant);
      if (e.status !== "running" || !control) return [];
      return [{ experiment: e.name, variant: control.name, layer: e.layer, params: control.params, forced: true, bucket: 0 }];
    });
  }
}
