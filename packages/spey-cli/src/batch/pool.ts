import { Worker } from "node:worker_threads";

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions<Init> {
  /** Number of worker threads (≥ 1). */
  readonly size: number;
  /** The worker script (a built `.js` file). */
  readonly script: URL;
  /** `workerData` of every worker. */
  readonly init: Init;
  /** Per-job time limit in ms (0 or undefined: none); a job over it is failed and its worker replaced. */
  readonly timeoutMs?: number;
}

/** What happened to a job: the worker's answer, or why there is none. */
export type JobOutcome<Out> =
  | { readonly ok: true; readonly value: Out }
  | { readonly ok: false; readonly type: string; readonly message: string };

/** How long a worker thread may take to start a job it was given (loading the library included). */
export const STARTUP_LIMIT_MS = 300_000;

interface Slot<In> {
  worker: Worker;
  job?: { seq: number; input: In; timer?: NodeJS.Timeout | undefined };
}

/**
 * A small pool of worker threads. Each worker holds at most one job, so a crash or a timeout
 * loses only that job; the worker is then replaced and the run goes on. Workers answer a message
 * `{seq, point}` with `{seq, started: true}` when they start it (the time limit counts from
 * there) and then `{seq, record}` (see `worker.ts`).
 */
export class WorkerPool<In, Out, Init> {
  private readonly options: WorkerPoolOptions<Init>;
  private readonly slots: Slot<In>[] = [];
  private queue: Iterator<In> | undefined;
  private onResult: ((input: In, outcome: JobOutcome<Out>) => void) | undefined;
  private seq = 0;
  private active = 0;
  private stopped = false;
  private finish: (() => void) | undefined;

  constructor(options: WorkerPoolOptions<Init>) {
    if (!(Number.isInteger(options.size) && options.size >= 1)) {
      throw new RangeError(`the pool size must be an integer ≥ 1; got ${options.size}.`);
    }
    this.options = options;
  }

  /**
   * Run every input through the workers; `onResult` is called in completion order. Resolves when
   * all jobs are done (or after {@link stop}).
   */
  run(inputs: Iterable<In>, onResult: (input: In, outcome: JobOutcome<Out>) => void): Promise<void> {
    this.queue = inputs[Symbol.iterator]();
    this.onResult = onResult;
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    for (let i = 0; i < this.options.size; i++) {
      const slot: Slot<In> = { worker: this.spawn() };
      this.slots.push(slot);
      this.bind(slot);
      this.dispatch(slot);
    }
    this.checkDone();
    return done;
  }

  /** Stop dispatching, terminate the workers (jobs in flight are dropped) and resolve `run`. */
  async stop(): Promise<void> {
    this.stopped = true;
    const workers = this.slots.map((s) => {
      if (s.job?.timer) clearTimeout(s.job.timer);
      s.job = undefined;
      return s.worker.terminate();
    });
    this.active = 0;
    await Promise.all(workers);
    this.finish?.();
  }

  private spawn(): Worker {
    return new Worker(this.options.script, { workerData: this.options.init });
  }

  private bind(slot: Slot<In>): void {
    const worker = slot.worker;
    worker.on("message", (message: { seq: number; record: Out; started?: true }) => {
      if (slot.worker !== worker || !slot.job || slot.job.seq !== message.seq) return;
      if (message.started) this.startClock(slot);
      else this.complete(slot, { ok: true, value: message.record });
    });
    worker.on("error", (error: Error) => {
      if (slot.worker !== worker) return;
      this.replace(slot, { ok: false, type: "WorkerError", message: `the worker thread failed: ${error.message}` });
    });
    worker.on("exit", (code) => {
      if (slot.worker !== worker || this.stopped) return;
      this.replace(slot, { ok: false, type: "WorkerError", message: `the worker thread exited with code ${code}` });
    });
  }

  private complete(slot: Slot<In>, outcome: JobOutcome<Out>): void {
    const job = slot.job;
    if (!job) return;
    if (job.timer) clearTimeout(job.timer);
    slot.job = undefined;
    this.active -= 1;
    this.onResult?.(job.input, outcome);
    // The inputs may have grown with this result (chained points, batch/chains.ts): every idle
    // worker asks again, this one first.
    this.dispatch(slot);
    for (const other of this.slots) this.dispatch(other);
    this.checkDone();
  }

  /** Fail the slot's job (if any) and put a fresh worker in its place. */
  private replace(slot: Slot<In>, outcome: JobOutcome<Out>): void {
    if (this.stopped) return;
    const old = slot.worker;
    slot.worker = this.spawn();
    this.bind(slot);
    void old.terminate();
    if (slot.job) this.complete(slot, outcome);
    else this.dispatch(slot);
  }

  private dispatch(slot: Slot<In>): void {
    if (this.stopped || slot.job || !this.queue) return;
    const next = this.queue.next();
    if (next.done) return;
    const seq = ++this.seq;
    // Until the worker says it started the job, only a generous start-up limit runs: a fresh
    // thread (after a crash or a timeout) loads the library first, which on a busy machine can
    // take longer than a short --timeout, and must not count against the point.
    const timer = setTimeout(() => {
      this.replace(slot, {
        ok: false,
        type: "WorkerError",
        message: `the worker thread did not start within ${STARTUP_LIMIT_MS / 1000} s`,
      });
    }, STARTUP_LIMIT_MS);
    slot.job = { seq, input: next.value, timer };
    this.active += 1;
    slot.worker.postMessage({ seq, point: next.value });
  }

  /** The worker started the slot's job: its time limit counts from now. */
  private startClock(slot: Slot<In>): void {
    const job = slot.job;
    if (!job) return;
    if (job.timer) clearTimeout(job.timer);
    const timeout = this.options.timeoutMs ?? 0;
    job.timer =
      timeout > 0
        ? setTimeout(() => {
            this.replace(slot, {
              ok: false,
              type: "Timeout",
              message: `the point took longer than ${timeout / 1000} s`,
            });
          }, timeout)
        : undefined;
  }

  private checkDone(): void {
    if (this.stopped || this.active > 0) return;
    if (this.slots.some((s) => s.job)) return;
    // Every slot is idle: the queue is exhausted (dispatch would have filled them otherwise).
    this.stopped = true;
    void Promise.all(this.slots.map((s) => s.worker.terminate())).then(() => this.finish?.());
  }
}
