import { pino, type Logger } from "pino";

export type { Logger };

/** Paths whose values are never written to a log. */
const REDACTED = [
  "password",
  "*.password",
  "pass",
  "*.pass",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
];

export interface LoggerOptions {
  service: string;
  level: string;
  pretty?: boolean;
}

/** The one root logger of a process; everything else takes child loggers of it. */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    name: options.service,
    level: options.level,
    redact: { paths: REDACTED, censor: "[redacted]" },
    ...(options.pretty ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
  });
}
