import { InvalidArgumentError } from "../../kit/errors/errors.js";
import type { GenerateQuery } from "./candidate-types.js";
import type { SourceRegistry } from "./source-registry.js";

/** A Generate request as it arrived, before validation. */
export interface GenerateInput {
  userId: string;
  k: number;
  attributes: Readonly<Record<string, string>>;
  sources: readonly string[];
  excludeItemIds: readonly string[];
  sourceQuotas: Readonly<Record<string, number>>;
  category: string;
}

export interface QueryLimits {
  kLimit: number;
  maxExcludeItems: number;
}

const MAX_USER_ID_LENGTH = 256;

/** Checks a request against the configured sources and limits; each problem names the field and the limit. */
export function validateQuery(input: GenerateInput, registry: SourceRegistry, limits: QueryLimits, fieldPrefix = ""): GenerateQuery {
  const invalid = (field: string, reason: string) => new InvalidArgumentError(`${fieldPrefix}${field}`, reason);
  if (!input.userId) throw invalid("user_id", "required");
  if (input.userId.length > MAX_USER_ID_LENGTH) throw invalid("user_id", `at most ${MAX_USER_ID_LENGTH} characters`);
  if (!Number.isInteger(input.k) || input.k < 1 || input.k > limits.kLimit) {
    throw invalid("k", `must be between 1 and ${limits.kLimit} (the configured limit), got ${input.k}`);
  }
  const known = () => `known sources: ${registry.ids.join(", ")}`;
  input.sources.forEach((id, i) => {
    if (!registry.has(id)) throw invalid(`sources[${i}]`, `unknown source ${JSON.stringify(id)}; ${known()}`);
  });
  for (const [id, percent] of Object.entries(input.sourceQuotas)) {
    const field = `source_quotas[${JSON.stringify(id)}]`;
    if (!registry.has(id)) throw invalid(field, `unknown source; ${known()}`);
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw invalid(field, `must be a share of k in percent, 0..100, got ${percent}`);
    }
  }
  if (input.excludeItemIds.length > limits.maxExcludeItems) {
    throw invalid("exclude_item_ids", `at most ${limits.maxExcludeItems} ids (the configured limit), got ${input.excludeItemIds.length}`);
  }
  return {
    userId: input.userId,
    k: input.k,
    attributes: input.attributes,
    sources: input.sources.length > 0 ? [...new Set(input.sources)] : registry.ids,
    excludeItemIds: input.excludeItemIds,
    quotaPercents: input.sourceQuotas,
    category: input.category || undefined,
  };
}
