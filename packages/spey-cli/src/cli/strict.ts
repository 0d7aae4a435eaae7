import { InputError } from "spey";
import { currentRun } from "./context.js";

/** `--strict`: warnings (and arguments a backend ignores) are errors (exit code 2). */
export class StrictModeError extends InputError {
  override name = "StrictModeError";
}

/**
 * Under `--strict`, refuse to go on once the run has recorded a warning: called before any result
 * is written (standard output, files), and at the end of every command.
 */
export function checkStrict(): void {
  const run = currentRun();
  if (!run.strict || run.warnings.size === 0) return;
  run.strictReported = true;
  const list = [...run.warnings.keys()];
  const shown = list.slice(0, 10).map((w) => `  ${w}`);
  if (list.length > 10) shown.push(`  … and ${list.length - 10} more`);
  throw new StrictModeError(
    `--strict: ${list.length} warning${list.length === 1 ? "" : "s"} treated as ${list.length === 1 ? "an error" : "errors"}:\n${shown.join("\n")}`,
  );
}
