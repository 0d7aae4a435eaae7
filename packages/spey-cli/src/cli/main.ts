#!/usr/bin/env node
/**
 * The `spey` executable. See `spey --help`; exit codes: 0 success, 1 the computation failed,
 * 2 bad input, 130 interrupted.
 */
import { runCli } from "./program.js";

await runCli(process.argv);
