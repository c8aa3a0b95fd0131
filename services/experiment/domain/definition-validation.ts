import { InvalidArgumentError } from "../../kit/errors/errors.js";
import { CONVERSION_EVENTS, type ExperimentDefinition } from "./experiment-definition.js";

/** Experiment, layer and variant names: lowercase letters, digits, '-' and '_' (also valid KV keys). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const WEIGHT_SUM_TOLERANCE = 1e-9;

export const LIMITS = {
  variants: 20,
  descriptionChars: 1024,
  saltChars: 128,
  paramKeyChars: 128,
  paramValueChars: 1024,
  params: 64,
  conditions: 32,
  conditionValues: 256,
  attributeChars: 128,
  forcedUsers: 1000,
  userIdChars: 256,
} as const;

/**
 * Checks every rule of a definition and throws InvalidArgumentError naming the
 * first offending field as a path under `root` (e.g. "experiment.variants[2].weight").
 */
export function validateDefinition(d: ExperimentDefinition, root = "experiment"): void {
  const at = (field: string) => `${root}.${field}`;
  checkName(d.name, at("name"));
  if (d.description.length > LIMITS.descriptionChars) fail(at("description"), `must be at most ${LIMITS.descriptionChars} characters`);
  if (d.layer !== "") checkName(d.layer, at("layer"));
  if (d.salt.length > LIMITS.saltChars) fail(at("salt"), `must be at most ${LIMITS.saltChars} characters`);
  validateVariants(d, root);
  if (d.controlVariant === "") fail(at("control_variant"), "is required");
  if (!d.variants.some((v) => v.name === d.controlVariant)) fail(at("control_variant"), `"${d.controlVariant}" is not one of the variants`);
  if (!Number.isFinite(d.coverage) || d.coverage < 0 || d.coverage > 1) fail(at("coverage"), `must be in [0, 1], got ${d.coverage}`);
  validateTargeting(d, root);
  validateForced(d, root);
  if (d.status === "unspecified") fail(at("status"), "must be DRAFT, RUNNING or STOPPED");
  // A timestamp beyond what a Date holds (seconds near ±2^63) arrives as NaN.
  if (d.startTimeMs !== undefined && !Number.isFinite(d.startTimeMs)) fail(at("start_time"), "is not a valid time");
  if (d.endTimeMs !== undefined && !Number.isFinite(d.endTimeMs)) fail(at("end_time"), "is not a valid time");
  if (d.startTimeMs !== undefined && d.endTimeMs !== undefined && d.startTimeMs >= d.endTimeMs) {
    fail(at("end_time"), "must be after start_time");
  }
  if (d.conversionEvent !== "" && !(CONVERSION_EVENTS as readonly string[]).includes(d.conversionEvent)) {
    fail(at("conversion_event"), `must be one of ${CONVERSION_EVENTS.join(", ")}, got "${d.conversionEvent}"`);
  }
  if (d.layerRange) {
    if (d.layer === "") fail(at("layer_range"), "needs a layer");
    const { start, end } = d.layerRange;
    if (!Number.isFinite(start) || start < 0 || start >= 1) fail(at("layer_range.start"), `must be in [0, 1), got ${start}`);
    if (!Number.isFinite(end) || end <= start || end > 1) fail(at("layer_range.end"), `must be in (start, 1], got ${end}`);
  }
}

function validateVariants(d: ExperimentDefinition, root: string): void {
  if (d.variants.length < 2) fail(`${root}.variants`, "needs at least 2 variants (control and a treatment)");
  if (d.variants.length > LIMITS.variants) fail(`${root}.variants`, `must have at most ${LIMITS.variants} variants`);
  const seen = new Set<string>();
  let sum = 0;
  d.variants.forEach((v, i) => {
    const at = `${root}.variants[${i}]`;
    checkName(v.name, `${at}.name`);
    if (seen.has(v.name)) fail(`${at}.name`, `"${v.name}" is used by another variant`);
    seen.add(v.name);
    if (!Number.isFinite(v.weight) || v.weight <= 0 || v.weight > 1) fail(`${at}.weight`, `must be in (0, 1], got ${v.weight}`);
    sum += v.weight;
    const keys = Object.keys(v.params);
    if (keys.length > LIMITS.params) fail(`${at}.params`, `must have at most ${LIMITS.params} entries`);
    for (const key of keys) {
      if (key === "" || key.length > LIMITS.paramKeyChars) fail(`${at}.params`, `keys must have 1 to ${LIMITS.paramKeyChars} characters`);
      if ((v.params[key] ?? "").length > LIMITS.paramValueChars) {
        fail(`${at}.params["${key}"]`, `must be at most ${LIMITS.paramValueChars} characters`);
      }
    }
  });
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) fail(`${root}.variants`, `weights must sum to 1 (±${WEIGHT_SUM_TOLERANCE}), they sum to ${sum}`);
}

function validateTargeting(d: ExperimentDefinition, root: string): void {
  if (d.targeting.length > LIMITS.conditions) fail(`${root}.targeting`, `must have at most ${LIMITS.conditions} conditions`);
  d.targeting.forEach((c, i) => {
    const at = `${root}.targeting[${i}]`;
    if (c.attribute === "" || c.attribute.length > LIMITS.attributeChars) {
      fail(`${at}.attribute`, `must have 1 to ${LIMITS.attributeChars} characters`);
    }
    if (c.operator === "unspecified") fail(`${at}.operator`, "must be IN or NOT_IN");
    if (c.values.length === 0 || c.values.length > LIMITS.conditionValues) {
      fail(`${at}.values`, `must list 1 to ${LIMITS.conditionValues} values`);
    }
  });
}

function validateForced(d: ExperimentDefinition, root: string): void {
  const entries = Object.entries(d.forcedVariants);
  if (entries.length > LIMITS.forcedUsers) fail(`${root}.forced_variants`, `must have at most ${LIMITS.forcedUsers} users`);
  for (const [userId, variant] of entries) {
    const at = `${root}.forced_variants["${userId}"]`;
    if (userId === "" || userId.length > LIMITS.userIdChars) fail(`${root}.forced_variants`, `user ids must have 1 to ${LIMITS.userIdChars} characters`);
    if (!d.variants.some((v) => v.name === variant)) fail(at, `"${variant}" is not one of the variants`);
  }
}

function checkName(value: string, field: string): void {
  if (value === "") fail(field, "is required");
  if (!NAME_PATTERN.test(value)) fail(field, `"${value}" must match ${NAME_PATTERN.source} (lowercase letters, digits, '-', '_'; at most 64)`);
}

function fail(field: string, reason: string): never {
  throw new InvalidArgumentError(field, reason);
}
