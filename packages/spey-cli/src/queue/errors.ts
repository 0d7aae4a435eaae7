import { SpeyError } from "spey";
import { BatchInputError } from "../batch/errors.js";

/** A queue URL, run name or queue option that cannot be used (CLI exit code 2). */
export class QueueInputError extends BatchInputError {
  override name = "QueueInputError";
}

/** Redis cannot be reached, or refused a command (CLI exit code 1). */
export class QueueConnectionError extends SpeyError {
  override name = "QueueConnectionError";
}

/** A run in the queue that does not match what is asked of it: other grid, options or version (exit code 2). */
export class QueueRunMismatch extends BatchInputError {
  override name = "QueueRunMismatch";
}
