import { z } from "zod";

/** Thrown when the environment does not satisfy a service's schema; one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/**
 * Validates environment variables against a zod object schema whose keys are the
 * variable names. Every bad variable is reported, not just the first.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const picked: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    picked[key] = value === "" ? undefined : value;
  }
  const result = schema.safeParse(picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const got = typeof issue.path[0] === "string" ? picked[issue.path[0]] : undefined;
    return `${name}: ${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new ConfigError(problems);
}
