/**
 * A pool of workers with a Promise API (`spey/worker`): tasks are queued and handed to idle
 * workers; callers get progress callbacks, and an `AbortSignal` stops a task for real — queued
 * tasks are dropped, a running one is asked to stop (a shared-memory flag its loops read, plus a
 * message) and, if it has not stopped within `cancelGraceMs`, its worker is terminated and
 * replaced. No Node built-ins: in a browser the workers are Web Workers; in Node, wrap
 * `worker_threads` workers (see {@link WorkerLike}).
 */
import { InvalidInput, SpeyError } from "../core/errors.js";
import { ABORT_ERROR, type ErrorData, type FromWorker, type ToWorker } from "./protocol.js";

/** What the pool needs of a worker (a Web Worker has all of it). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "error", listener: (event: { message?: string }) => void): void;
}

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Start one worker, e.g. `() => new Worker(new URL("./worker.js", import.meta.url), { type: "module" })`. */
  readonly createWorker: () => WorkerLike;
  /** Number of workers (default: `navigator.hardwareConcurrency`, else 2). */
  readonly size?: number;
  /** How long a cancelled task may take to stop by itself before its worker is terminated (default 200 ms). */
  readonly cancelGraceMs?: number;
}

/** Options of {@link WorkerPool.run}. */
export interface RunOptions {
  /** Cancels the task: the promise rejects with the signal's reason (an "AbortError"). */
  readonly signal?: AbortSignal;
  /** Progress values the task reports (`context.progress(value)` in the worker). */
  readonly onProgress?: (value: unknown) => void;
}

/** Progress of {@link WorkerPool.map}. */
export interface MapProgress<T> {
  readonly done: number;
  readonly total: number;
  /** Index of the input that just finished. */
  readonly index: number;
  /** Its result, or its error when it failed (with `settle`). */
  readonly result?: T;
  readonly error?: TaskError;
}

/** Options of {@link WorkerPool.map}. */
export interface MapOptions<T> {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: MapProgress<T>) => void;
}

/** One outcome of {@link WorkerPool.map}. */
export type Settled<T> =
  | { readonly status: "ok"; readonly value: T }
  | { readonly status: "error"; readonly error: TaskError };

/** A task failed in its worker: `name` and `message` are those of the error it threw. */
export class TaskError extends SpeyError {
  /** The class name of the error thrown in the worker (e.g. "InvalidInput"). */
  declare readonly errorName: string;
  constructor(data: ErrorData) {
    super(data.message);
    this.errorName = data.name;
  }
}

/** Counts kept by the pool (for tests and monitoring). */
export interface PoolStats {
  /** Workers started so far. */
  started: number;
  /** Workers terminated because a cancelled task did not stop within the grace time. */
  terminated: number;
  /** Cancelled tasks that stopped by themselves (their worker was kept). */
  stoppedCooperatively: number;
  /** Tasks finished (result or error). */
  completed: number;
}

interface Task {
  readonly id: number;
  readonly op: string;
  readonly input: unknown;
  readonly options: RunOptions;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
}

interface Slot {
  worker: WorkerLike;
  flag: Int32Array | undefined;
  task: Task | undefined;
  /** A cancelled task still running in this worker (the slot is not free until it stops). */
  draining: { id: number; timer: ReturnType<typeof setTimeout> } | undefined;
}

function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const error = new Error("the task was cancelled");
  error.name = ABORT_ERROR;
  return error;
}

function defaultSize(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? n : 2;
}

/** Shared memory is usable (browsers define SharedArrayBuffer only on cross-origin-isolated pages). */
function canShareMemory(): boolean {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return typeof SharedArrayBuffer !== "undefined" && isolated !== false;
}

export class WorkerPool {
  /** Number of workers. */
  declare readonly size: number;
  readonly stats: PoolStats = { started: 0, terminated: 0, stoppedCooperatively: 0, completed: 0 };
  readonly #createWorker: () => WorkerLike;
  readonly #graceMs: number;
  readonly #slots: (Slot | undefined)[];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    const size = options.size ?? defaultSize();
    if (!(Number.isInteger(size) && size >= 1))
      throw new InvalidInput(`WorkerPool size must be an integer ≥ 1; got ${size}.`);
    const grace = options.cancelGraceMs ?? 200;
    if (!(Number.isFinite(grace) && grace >= 0)) {
      throw new InvalidInput(`WorkerPool cancelGraceMs must be a finite number ≥ 0; got ${grace}.`);
    }
    this.size = size;
    this.#graceMs = grace;
    this.#createWorker = options.createWorker;
    this.#slots = new Array(size).fill(undefined);
  }

  /** Workers currently running a task (cancelled tasks still stopping included). */
  get busy(): number {
    return this.#slots.filter((s) => s?.task !== undefined || s?.draining !== undefined).length;
  }

  /** Workers alive. */
  get alive(): number {
    return this.#slots.filter((s) => s !== undefined).length;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Run `op` on `input` in a worker. Resolves with the handler's result; rejects with a
   * {@link TaskError} when the handler threw, or with the signal's reason when cancelled.
   */
  run<T = unknown>(op: string, input: unknown, options: RunOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new InvalidInput("the worker pool was terminated; create a new one."));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        id: this.#nextId++,
        op,
        input,
        options,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
      };
      signal?.addEventListener("abort", () => this.cancel(task), { once: true });
      this.#queue.push(task);
      this.#dispatch();
    });
  }

  /**
   * Run `op` on every input, on all workers, and return the outcomes in input order (a failed
   * input does not stop the others). `onProgress` fires as each input finishes. Aborting the
   * signal cancels everything still queued or running and rejects with its reason.
   */
  map<T = unknown>(op: string, inputs: readonly unknown[], options: MapOptions<T> = {}): Promise<Settled<T>[]> {
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const out: Settled<T>[] = new Array(inputs.length);
    let done = 0;
    const inner = new AbortController();
    const onAbort = () => inner.abort(abortReason(signal as AbortSignal));
    signal?.addEventListener("abort", onAbort, { once: true });
    const jobs = inputs.map((input, index) =>
      this.run<T>(op, input, { signal: inner.signal }).then(
        (value) => {
          out[index] = { status: "ok", value };
          done++;
          onProgress?.({ done, total: inputs.length, index, result: value });
        },
        (error: unknown) => {
          if (inner.signal.aborted) throw error;
          const e = error instanceof TaskError ? error : new TaskError({ name: "Error", message: String(error) });
          out[index] = { status: "error", error: e };
          done++;
          onProgress?.({ done, total: inputs.length, index, error: e });
        },
      ),
    );
    return Promise.all(jobs).then(
      () => {
        signal?.removeEventListener("abort", onAbort);
        return out;
      },
      (error: unknown) => {
        signal?.removeEventListener("abort", onAbort);
        throw error;
      },
    );
  }

  /** Stop every worker now; queued and running tasks reject. */
  terminate(): void {
    this.#closed = true;
    const error = new InvalidInput("the worker pool was terminated.");
    for (const task of this.#queue.splice(0)) this.#settle(task, undefined, error);
    for (const [i, slot] of this.#slots.entries()) {
      if (!slot) continue;
      if (slot.task) this.#settle(slot.task, undefined, error);
      if (slot.draining) clearTimeout(slot.draining.timer);
      void slot.worker.terminate();
      this.#slots[i] = undefined;
    }
  }

  #settle(task: Task, value: unknown, error?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    if (error !== undefined) task.reject(error);
    else task.resolve(value);
  }

  #startWorker(index: number): Slot {
    const worker = this.#createWorker();
    this.stats.started++;
    const flag = canShareMemory() ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const slot: Slot = { worker, flag, task: undefined, draining: undefined };
    worker.addEventListener("message", (event) => this.#onMessage(slot, event.data as FromWorker));
    worker.addEventListener("error", (event) => this.#onCrash(slot, event.message ?? "the worker failed"));
    const init: ToWorker = flag ? { type: "init", cancelFlag: flag.buffer as SharedArrayBuffer } : { type: "init" };
    worker.postMessage(init);
    this.#slots[index] = slot;
    return slot;
  }

  #dispatch(): void {
    for (let i = 0; i < this.size && this.#queue.length > 0; i++) {
      let slot = this.#slots[i];
      if (slot && (slot.task || slot.draining)) continue;
      const task = this.#queue.shift() as Task;
      slot ??= this.#startWorker(i);
      slot.task = task;
      if (slot.flag) Atomics.store(slot.flag, 0, 0);
      const message: ToWorker = { type: "run", id: task.id, op: task.op, input: task.input };
      slot.worker.postMessage(message);
    }
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (slot.draining && message.id === slot.draining.id) {
      if (message.type === "progress") return;
      // The cancelled task stopped (or finished) within the grace time: keep the worker.
      clearTimeout(slot.draining.timer);
      slot.draining = undefined;
      this.stats.stoppedCooperatively++;
      this.#dispatch();
      return;
    }
    const task = slot.task;
    if (!task || task.id !== message.id) return;
    if (message.type === "progress") {
      task.options.onProgress?.(message.value);
      return;
    }
    slot.task = undefined;
    this.stats.completed++;
    if (message.type === "result") this.#settle(task, message.value);
    else if (message.type === "error") this.#settle(task, undefined, new TaskError(message.error));
    else this.#settle(task, undefined, abortReason(task.options.signal ?? new AbortController().signal));
    this.#dispatch();
  }

  #onCrash(slot: Slot, message: string): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    if (slot.task) this.#settle(slot.task, undefined, new TaskError({ name: "WorkerError", message }));
    if (slot.draining) clearTimeout(slot.draining.timer);
    void slot.worker.terminate();
    this.#slots[index] = undefined;
    this.#dispatch();
  }

  private cancel(task: Task): void {
    if (task.settled) return;
    const queued = this.#queue.indexOf(task);
    this.#settle(task, undefined, abortReason(task.options.signal as AbortSignal));
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      return;
    }
    const index = this.#slots.findIndex((s) => s?.task === task);
    const slot = this.#slots[index];
    if (!slot) return;
    slot.task = undefined;
    if (slot.flag) Atomics.store(slot.flag, 0, 1);
    slot.worker.postMessage({ type: "cancel", id: task.id } satisfies ToWorker);
    const timer = setTimeout(() => {
      // Still running after the grace time: stop the worker itself; a fresh one starts on demand.
      if (this.#slots[index] !== slot) return;
      void slot.worker.terminate();
      this.#slots[index] = undefined;
      this.stats.terminated++;
      this.#dispatch();
    }, this.#graceMs);
    slot.draining = { id: task.id, timer };
  }
}
