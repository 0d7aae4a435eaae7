#!/usr/bin/env node
/**
 * The `spey` executable. See `spey --help`; exit codes: 0 success, 1 the computation failed,
 * 2 bad input, 130 interrupted, 143 terminated.
 */
import { runCli } from "./program.js";

// A reader that goes away (`spey scan … | head -1`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv);
