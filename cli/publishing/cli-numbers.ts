import { InvalidArgumentError } from "commander";

/** Commander parser for a non-negative integer option value. */
export function integerOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  return n;
}

/** Commander parser for an ISO-8601 time option value, as epoch milliseconds. */
export function timeOption(value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`"${value}" is not an ISO-8601 time (e.g. 2025-06-14T13:00:00Z)`);
  return t;
}
