/** Reports a problem with how a command was invoked: one line on stderr, exit code 2 (no help text, no stack). */
export function failUsage(message: string): void {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 2;
}
