import type { Assignment as ProtoAssignment } from "../../../gen/recmesh/common/v1/assignment.js";
import {
  ConditionOperator as ProtoOperator,
  ExperimentStatus as ProtoStatus,
  Experiment as ProtoExperiment,
} from "../../../gen/recmesh/experiment/v1/experiment.js";
import { VariantResult as ProtoVariantResult, type GetResultsResponse } from "../../../gen/recmesh/experiment/v1/experiment_service.js";
import type { Assignment } from "../domain/assigner.js";
import type { ConditionOperator, ExperimentDefinition, ExperimentStatus } from "../domain/experiment-definition.js";
import type { ExperimentResults } from "../domain/experiment-results.js";

const STATUS_FROM_PROTO = new Map<ProtoStatus, ExperimentStatus>([
  [ProtoStatus.EXPERIMENT_STATUS_DRAFT, "draft"],
  [ProtoStatus.EXPERIMENT_STATUS_RUNNING, "running"],
  [ProtoStatus.EXPERIMENT_STATUS_STOPPED, "stopped"],
]);
const STATUS_TO_PROTO: Record<ExperimentStatus, ProtoStatus> = {
  unspecified: ProtoStatus.EXPERIMENT_STATUS_UNSPECIFIED,
  draft: ProtoStatus.EXPERIMENT_STATUS_DRAFT,
  running: ProtoStatus.EXPERIMENT_STATUS_RUNNING,
  stopped: ProtoStatus.EXPERIMENT_STATUS_STOPPED,
};
const OPERATOR_FROM_PROTO = new Map<ProtoOperator, ConditionOperator>([
  [ProtoOperator.CONDITION_OPERATOR_IN, "in"],
  [ProtoOperator.CONDITION_OPERATOR_NOT_IN, "not_in"],
]);
const OPERATOR_TO_PROTO: Record<ConditionOperator, ProtoOperator> = {
  unspecified: ProtoOperator.CONDITION_OPERATOR_UNSPECIFIED,
  in: ProtoOperator.CONDITION_OPERATOR_IN,
  not_in: ProtoOperator.CONDITION_OPERATOR_NOT_IN,
};

export function statusFromProto(s: ProtoStatus): ExperimentStatus {
  return STATUS_FROM_PROTO.get(s) ?? "unspecified";
}

export function toDefinition(e: ProtoExperiment): ExperimentDefinition {
  return {
    name: e.name,
    description: e.description,
    layer: e.layer,
    salt: e.salt,
    variants: e.variants.map((v) => ({ name: v.name, weight: v.weight, params: { ...v.params } })),
    controlVariant: e.controlVariant,
    coverage: e.coverage,
    targeting: e.targeting.map((c) => ({ attribute: c.attribute, operator: OPERATOR_FROM_PROTO.get(c.operator) ?? "unspecified", values: [...c.values] })),
    forcedVariants: { ...e.forcedVariants },
    status: statusFromProto(e.status),
    startTimeMs: e.startTime?.getTime(),
    endTimeMs: e.endTime?.getTime(),
    conversionEvent: e.conversionEvent,
    layerRange: e.layerRange ? { start: e.layerRange.start, end: e.layerRange.end } : undefined,
  };
}

export function toProtoExperiment(d: ExperimentDefinition): ProtoExperiment {
  return ProtoExperiment.fromPartial({
    name: d.name,
    description: d.description,
    layer: d.layer,
    salt: d.salt,
    variants: d.variants.map((v) => ({ name: v.name, weight: v.weight, params: v.params })),
    controlVariant: d.controlVariant,
    coverage: d.coverage,
    targeting: d.targeting.map((c) => ({ attribute: c.attribute, operator: OPERATOR_TO_PROTO[c.operator], values: c.values })),
    forcedVariants: d.forcedVariants,
    status: STATUS_TO_PROTO[d.status],
    startTime: d.startTimeMs === undefined ? undefined : new Date(d.startTimeMs),
    endTime: d.endTimeMs === undefined ? undefined : new Date(d.endTimeMs),
    conversionEvent: d.conversionEvent,
    layerRange: d.layerRange,
  });
}

/** The KV value of a definition: protobuf bytes of recmesh.experiment.v1.Experiment. */
export function encodeDefinition(d: ExperimentDefinition): Uint8Array {
  return ProtoExperiment.encode(toProtoExperiment(d)).finish();
}

export function decodeDefinition(bytes: Uint8Array): ExperimentDefinition {
  return toDefinition(ProtoExperiment.decode(bytes));
}

export function toProtoAssignment(a: Assignment): ProtoAssignment {
  return { experiment: a.experiment, variant: a.variant, layer: a.layer, params: a.params, forced: a.forced, bucket: a.bucket };
}

export function toResultsResponse(r: ExperimentResults, computedAt: Date): GetResultsResponse {
  return {
    name: r.name,
    variants: r.variants.map((v) =>
      ProtoVariantResult.fromPartial({
        variant: v.variant,
        exposedUsers: String(v.exposedUsers),
        convertedUsers: String(v.convertedUsers),
        conversionRate: v.conversionRate,
        lift: v.lift,
        liftCiLow: v.liftCiLow,
        liftCiHigh: v.liftCiHigh,
        pValue: v.pValue,
        isControl: v.isControl,
      }),
    ),
    sampleRatio: r.sampleRatio,
    computedAt,
  };
}
