import { z } from "zod";

/** A TCP port number from an environment variable. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A positive integer from an environment variable. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A non-negative number from an environment variable. */
export const nonNegative = (fallback: number) => z.coerce.number().nonnegative().default(fallback);

/** A ratio in [0, 1] from an environment variable. */
export const ratio = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

/** "true"/"false"/"1"/"0" from an environment variable. */
export const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"], { message: 'expected "true" or "false"' })
    .transform((v) => v === "true" || v === "1")
    .default(fallback);

/** A URL with one of the given schemes. */
export const url = (schemes: string[], fallback?: string) => {
  const base = z.string().refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ""));
      } catch {
        return false;
      }
    },
    { message: `expected a URL with scheme ${schemes.join(" or ")}` },
  );
  return fallback === undefined ? base : base.default(fallback);
};

/** host:port of another service. */
export const address = (fallback: string) =>
  z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, { message: "expected host:port" })
    .default(fallback);

export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");
