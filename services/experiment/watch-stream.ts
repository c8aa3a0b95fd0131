import { Experiment } from "../../gen/recmesh/experiment/v1/experiment.js";
import type { WatchExperimentsRequest, WatchExperimentsResponse } from "../../gen/recmesh/experiment/v1/experiment_service.js";
import type { CallContext } from "../kit/grpc/call-context.js";
import { toProtoExperiment } from "./adapters/proto-mapping.js";
import type { DefinitionChange, ExperimentRegistry } from "./domain/experiment-registry.js";

/**
 * WatchExperiments: the current definitions when asked for, a
 * snapshot_complete marker, then every change until the caller cancels or the
 * server drains. A subscriber that falls too far behind is ended with
 * RESOURCE_EXHAUSTED and watches again.
 */
export async function* watchExperiments(
  registry: ExperimentRegistry,
  req: WatchExperimentsRequest,
  call: CallContext,
): AsyncIterable<WatchExperimentsResponse> {
  const subscription = registry.subscribe();
  try {
    if (req.includeCurrent) {
      for (const s of subscription.snapshot) {
        yield { experiment: toProtoExperiment(s.definition), deleted: false, revision: String(s.revision), snapshotComplete: false };
      }
    }
    yield { experiment: undefined, deleted: false, revision: String(subscription.revision), snapshotComplete: true };
    for (;;) {
      const change = await subscription.next(call.signal);
      if (!change) return;
      yield toResponse(change);
    }
  } finally {
    subscription.close();
  }
}

function toResponse(change: DefinitionChange): WatchExperimentsResponse {
  if (change.kind === "delete") {
    return { experiment: Experiment.fromPartial({ name: change.name }), deleted: true, revision: String(change.revision), snapshotComplete: false };
  }
  return { experiment: toProtoExperiment(change.stored.definition), deleted: false, revision: String(change.stored.revision), snapshotComplete: false };
}
