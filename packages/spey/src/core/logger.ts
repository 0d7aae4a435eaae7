/**
 * Logging (spey's logger). Nothing is written to the console unless the user keeps the default
 * handler; the handler and the level can be replaced. Levels follow spey's `set_log_level`:
 * 0 = error, 1 = warning, 2 = info, 3 = debug.
 */
import { InvalidInput } from "./errors.js";
import { isInteger } from "../core/describe.js";

export type LogLevelName = "error" | "warning" | "info" | "debug";

const LEVELS: Record<LogLevelName, number> = { error: 0, warning: 1, info: 2, debug: 3 };

/** A log record handed to the handler. */
export interface LogRecord {
  readonly level: LogLevelName;
  readonly message: string;
  /**
   * What the record is about, for handlers that act on some records (the command line's
   * `--strict`): `"unused-argument"` for an argument a backend did not read; undefined otherwise.
   */
  readonly code?: string;
}

export type LogHandler = (record: LogRecord) => void;

/** Default handler: writes to stderr (never stdout, so `--json` output stays clean). */
const stderrHandler: LogHandler = (record) => {
  const prefix = record.level === "info" ? "Spey: " : `Spey - ${record.level.toUpperCase()}: `;
  console.error(prefix + record.message);
};

interface LoggerState {
  level: number;
  handler: LogHandler;
}

const state: LoggerState = { level: LEVELS.warning, handler: stderrHandler };

/**
 * Set the verbosity: 0 (errors only) … 3 (debug), or a level name. Invalid levels throw.
 * Default: 1 (warnings), overridable at start-up by the `SPEY_LOGLEVEL` environment variable.
 */
export function setLogLevel(level: number | LogLevelName): void {
  const value = typeof level === "number" ? level : LEVELS[level];
  if (value === undefined || !isInteger(value) || value < 0 || value > 3) {
    throw new InvalidInput(
      `setLogLevel: level must be 0, 1, 2 or 3 (error, warning, info, debug); got ${String(level)}.`,
    );
  }
  state.level = value;
}

/** The current verbosity (0–3). */
export function getLogLevel(): number {
  return state.level;
}

/** Replace the log handler (e.g. to collect warnings, or `() => {}` to silence everything). */
export function setLogHandler(handler: LogHandler | null): void {
  state.handler = handler ?? stderrHandler;
}

function emit(level: LogLevelName, message: string, code?: string): void {
  if (LEVELS[level] <= state.level) state.handler(code === undefined ? { level, message } : { level, message, code });
}

/** `log.warning` and `log.debug` under names the minifier can shorten (the library's own calls). */
export const logWarning = (message: string, code?: string): void => emit("warning", message, code);
export const logDebug = (message: string): void => emit("debug", message);

/** The package logger. */
export const log = {
  error: (message: string) => emit("error", message),
  warning: logWarning,
  info: (message: string) => emit("info", message),
  debug: logDebug,
};

/**
 * Run `fn` while collecting the log records it emits instead of passing them on; returns the
 * result and the records (used by tests and by callers that de-duplicate messages).
 */
export function captureLogs<T>(fn: () => T): { result: T; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const previous = state.handler;
  const previousLevel = state.level;
  state.handler = (r) => records.push(r);
  state.level = 3;
  try {
    return { result: fn(), records };
  } finally {
    state.handler = previous;
    state.level = previousLevel;
  }
}

function initFromEnvironment(): void {
  const env = typeof process !== "undefined" ? process.env?.SPEY_LOGLEVEL : undefined;
  if (env === undefined || env === "") return;
  const n = Number(env);
  if (isInteger(n) && n >= 0 && n <= 3) state.level = n;
}
initFromEnvironment();
