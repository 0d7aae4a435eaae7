import { CommanderError } from "commander";

/**
 * Exit codes of `spey`:
 * - 0 success;
 * - 1 the computation failed (no convergence, incomplete merged results, any unexpected error);
 * - 2 bad input (unreadable or malformed files, invalid model arguments, unknown backend,
 *   invalid command-line arguments);
 * - 130 interrupted (Ctrl-C, SIGINT), 143 terminated (SIGTERM); batch results written so far are
 *   kept. `spey batch` exits with 1 when points failed (their errors are in the results file).
 */
export const ExitCode = {
  Success: 0,
  Failed: 1,
  BadInput: 2,
  Interrupted: 130,
  Terminated: 143,
} as const;

/** The exit code for an error thrown while running a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Success : ExitCode.BadInput;
  // Derived from the library's class of failure: input and capability errors are the caller's to
  // fix (2); computation errors and anything unexpected are failures (1).
  // The kind is read from any Error that has one: a plug-in backend throws the errors of its own
  // copy of the library, which the bundled command line's classes do not recognise.
  const kind = error instanceof Error ? (error as { kind?: unknown }).kind : undefined;
  if (kind === "input" || kind === "capability") return ExitCode.BadInput;
  return ExitCode.Failed;
}

/** The one-line (or few-line) message printed on stderr for an error. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return `spey: ${String(error)}`;
  const code = exitCodeFor(error);
  const kind = code === ExitCode.BadInput ? "" : `${error.name}: `;
  return `spey: ${kind}${error.message}`;
}
