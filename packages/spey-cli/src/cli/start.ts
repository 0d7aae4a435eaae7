/**
 * Start the command line on `argv` (process.argv layout) in this process: the body of the `spey`
 * executable (main.ts, and bin/spey.js through the build's script bundle, see
 * scripts/bundle-cli.mjs). Sets `process.exitCode`; resolves when the command is done, with true
 * when the process may end at once (see {@link ONE_SHOT}).
 */
import { outputPending } from "./context.js";
import { commandName, runCli } from "./program.js";

export { runCli };

/**
 * Commands whose work is over when they return (their output written synchronously): the process
 * need not wait for V8's background compilers to finish optimising code that will not run again
 * (tens of milliseconds of CPU after a HistFactory fit). Batch, queue and plot commands end the
 * usual way, when Node has nothing left to do.
 */
const ONE_SHOT = new Set([undefined, "cls", "limit", "significance", "fit", "scan", "inspect", "validate", "patchset"]);

export async function start(argv: readonly string[]): Promise<boolean> {
  // The command writes to the process's file descriptors (context.ts), and stops quietly when a
  // reader goes away (`spey scan … | head -1`).
  process.exitCode = await runCli(argv);
  return ONE_SHOT.has(commandName(argv)) && !outputPending();
}
