import { InvalidArgumentError } from "../../kit/errors/errors.js";

/** Longest entity id accepted: ids become Redis keys and travel in every block. */
export const MAX_ENTITY_ID_LENGTH = 256;

/** Checks an id list against its limit; INVALID_ARGUMENT names the field and the limit. */
export function checkEntityIds(ids: readonly string[], limit: number, field: string): void {
  if (ids.length === 0) throw new InvalidArgumentError(field, `must hold at least 1 and at most ${limit} ids`);
  if (ids.length > limit) throw new InvalidArgumentError(field, `holds ${ids.length} ids; the limit is ${limit}`);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] ?? "";
    if (id.length === 0) throw new InvalidArgumentError(`${field}[${i}]`, "must not be empty");
    if (id.length > MAX_ENTITY_ID_LENGTH) {
      throw new InvalidArgumentError(`${field}[${i}]`, `is ${id.length} characters; the limit is ${MAX_ENTITY_ID_LENGTH}`);
    }
  }
}
