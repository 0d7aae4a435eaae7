import { CommanderError } from "commander";
import {
  AbstractModel,
  CalculatorNotAvailable,
  CombinerNotAvailable,
  DistributionError,
  InvalidInput,
  InvalidUncertaintyDefinition,
  MethodNotAvailable,
  MissingMetaData,
  PluginError,
  UnknownCrossSection,
  UnknownTestStatistics,
} from "spey";

/**
 * Exit codes of `spey`:
 * - 0 success;
 * - 1 the computation failed (no convergence, incomplete merged results, any unexpected error);
 * - 2 bad input (unreadable or malformed files, invalid model arguments, unknown backend,
 *   invalid command-line arguments);
 * - 130 interrupted (Ctrl-C); batch results written so far are kept.
 */
export const ExitCode = {
  Success: 0,
  Failed: 1,
  BadInput: 2,
  Interrupted: 130,
} as const;

/** Library errors that mean the user's input (model file, options) is wrong. */
const BAD_INPUT_ERRORS = [
  InvalidInput,
  PluginError,
  MissingMetaData,
  AbstractModel,
  InvalidUncertaintyDefinition,
  DistributionError,
  CalculatorNotAvailable,
  UnknownTestStatistics,
  UnknownCrossSection,
  MethodNotAvailable,
  CombinerNotAvailable,
];

/** The exit code for an error thrown while running a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Success : ExitCode.BadInput;
  if (BAD_INPUT_ERRORS.some((cls) => error instanceof cls)) return ExitCode.BadInput;
  return ExitCode.Failed;
}

/** The one-line (or few-line) message printed on stderr for an error. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return `spey: ${String(error)}`;
  const code = exitCodeFor(error);
  const kind = code === ExitCode.BadInput ? "" : `${error.name}: `;
  return `spey: ${kind}${error.message}`;
}
