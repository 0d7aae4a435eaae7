/**
 * Messages between a {@link WorkerPool} and the workers it drives (see `serveWorker`). Plain
 * structured-cloneable data only.
 */

/** Pool → worker. */
export type ToWorker =
  | { readonly type: "init"; readonly cancelFlag?: SharedArrayBuffer }
  | { readonly type: "run"; readonly id: number; readonly op: string; readonly input: unknown }
  | { readonly type: "cancel"; readonly id: number };

/** A thrown error as data: its class name and message. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
}

/** Worker → pool. */
export type FromWorker =
  | { readonly type: "progress"; readonly id: number; readonly value: unknown }
  | { readonly type: "result"; readonly id: number; readonly value: unknown }
  | { readonly type: "error"; readonly id: number; readonly error: ErrorData }
  | { readonly type: "cancelled"; readonly id: number };

/** The name of the error a cancelled task ends with (as `DOMException` "AbortError"). */
export const ABORT_ERROR = "AbortError";
