/**
 * Start the command line on `argv` (process.argv layout) in this process: the body of the `spey`
 * executable (main.ts, and bin/spey.js through the build's script bundle, see
 * scripts/bundle-cli.mjs). Sets `process.exitCode`; resolves when the command is done.
 */
import { runCli } from "./program.js";

export { runCli };

export async function start(argv: readonly string[]): Promise<void> {
  // The command writes to the process's file descriptors (context.ts), and stops quietly when a
  // reader goes away (`spey scan … | head -1`).
  process.exitCode = await runCli(argv);
}
