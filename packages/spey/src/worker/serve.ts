/**
 * The worker side of a {@link WorkerPool}: `serveWorker(handlers)` in a Web Worker (or a Node
 * `worker_threads` worker, with `parentPort` as the endpoint) answers the pool's tasks with the
 * named handlers.
 */
import { InvalidInput } from "../core/errors.js";
import { ABORT_ERROR, type FromWorker, type ToWorker } from "./protocol.js";

/** What a handler receives besides its input. */
export interface TaskContext {
  /**
   * Whether the pool asked to stop this task. Read synchronously inside long loops: it sees a
   * cancellation at once when the pool could share memory with the worker (cross-origin isolated
   * pages, Node), otherwise only once the handler has yielded to the event loop.
   */
  readonly signal: CancellationSignal;
  /** Report progress (any structured-cloneable value) to the caller's `onProgress`. */
  progress(value: unknown): void;
}

/** The part of `AbortSignal` that long loops read (the library's toy loops accept it as `signal`). */
export interface CancellationSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Throw an "AbortError" when cancelled. */
  throwIfAborted(): void;
}

/** A task handler: sync or async, returns a structured-cloneable value. */
export type TaskHandler = (input: never, context: TaskContext) => unknown;

/** The message endpoint of a worker: `self` in a Web Worker, `parentPort` in Node. */
export interface WorkerEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

/** The error a cancelled handler throws. */
export function abortError(message = "the task was cancelled"): Error {
  const error = new Error(message);
  error.name = ABORT_ERROR;
  return error;
}

class Cancellation implements CancellationSignal {
  #requested = false;
  constructor(private readonly flag: Int32Array | undefined) {}
  request(): void {
    this.#requested = true;
  }
  get aborted(): boolean {
    return this.#requested || (this.flag !== undefined && Atomics.load(this.flag, 0) === 1);
  }
  get reason(): unknown {
    return this.aborted ? abortError() : undefined;
  }
  throwIfAborted(): void {
    if (this.aborted) throw abortError();
  }
}

/**
 * Serve tasks from a {@link WorkerPool}: each `run` message calls `handlers[op](input, context)`
 * and posts back its result, its error (name and message), or "cancelled" when the handler threw
 * an AbortError after a cancellation. Tasks run one at a time, in arrival order.
 */
export function serveWorker(
  handlers: Readonly<Record<string, TaskHandler>>,
  endpoint: WorkerEndpoint = globalThis as unknown as WorkerEndpoint,
): void {
  let flag: Int32Array | undefined;
  const running = new Map<number, Cancellation>();
  const post = (message: FromWorker) => endpoint.postMessage(message);
  endpoint.addEventListener("message", (event) => {
    const message = event.data as ToWorker;
    if (message.type === "init") {
      flag = message.cancelFlag ? new Int32Array(message.cancelFlag) : undefined;
      return;
    }
    if (message.type === "cancel") {
      running.get(message.id)?.request();
      return;
    }
    if (message.type !== "run") return;
    const { id, op, input } = message;
    const cancellation = new Cancellation(flag);
    running.set(id, cancellation);
    const handler = handlers[op];
    const context: TaskContext = {
      signal: cancellation,
      progress: (value) => post({ type: "progress", id, value }),
    };
    Promise.resolve()
      .then(() => {
        if (!handler)
          throw new InvalidInput(`unknown task "${op}"; this worker serves ${Object.keys(handlers).join(", ")}.`);
        return handler(input as never, context);
      })
      .then(
        (value) => post({ type: "result", id, value }),
        (error: unknown) => {
          const e = error instanceof Error ? error : new Error(String(error));
          if (cancellation.aborted && e.name === ABORT_ERROR) post({ type: "cancelled", id });
          else post({ type: "error", id, error: { name: e.name, message: e.message } });
        },
      )
      .finally(() => running.delete(id));
  });
}
