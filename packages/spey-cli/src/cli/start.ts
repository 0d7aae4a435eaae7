/**
 * Start the command line on `argv` (process.argv layout) in this process: the body of the `spey`
 * executable (main.ts, and bin/spey.js through the build's script bundle, see
 * scripts/bundle-cli.mjs). Sets `process.exitCode`; resolves when the command is done.
 */
import { runCli } from "./program.js";

export { runCli };

export async function start(argv: readonly string[]): Promise<void> {
  // A reader that goes away (`spey scan … | head -1`) is not an error of ours: stop quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
  }
  process.exitCode = await runCli(argv);
}
