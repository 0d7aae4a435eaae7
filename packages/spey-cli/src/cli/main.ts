#!/usr/bin/env node
/**
 * The `spey` executable. See `spey --help`; exit codes: 0 success, 1 the computation failed,
 * 2 bad input, 130 interrupted, 143 terminated.
 */
import { start } from "./start.js";

if (await start(process.argv)) process.exit();
