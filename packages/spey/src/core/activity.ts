/**
 * Activity reports for progress displays: long computations (hypothesis tests and limits on large
 * models, many fits) call {@link reportActivity} as they go — once per fit — so that a caller such
 * as the command line can show that work is progressing. Nothing happens unless a handler is set.
 * Like the log handler ({@link setLogHandler}), the handler is global to the module instance.
 */

/** What made progress: one fit (one start of the fitter). */
export type ActivityKind = "fit";

/** Called for every activity report; must be cheap and must not throw. */
export type ActivityHandler = (kind: ActivityKind) => void;

let handler: ActivityHandler | null = null;

/** Set (or with `null` remove) the function called as computations make progress. */
export function setActivityHandler(next: ActivityHandler | null): void {
  handler = next;
}

/** Report one unit of progress to the handler, if any. */
export function reportActivity(kind: ActivityKind): void {
  if (handler !== null) handler(kind);
}
