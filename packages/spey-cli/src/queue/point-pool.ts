import { Worker } from "node:worker_threads";
import type { ModelDescription } from "../batch/description.js";
import { type JobOutcome, STARTUP_LIMIT_MS } from "../batch/pool.js";
import type { BatchTask, PointInput, ResultRecord } from "../batch/task.js";
import { WORKER_SCRIPT } from "../batch/worker-script.js";

/** Options of {@link PointPool}. */
export interface PointPoolOptions {
  /** Number of worker threads (≥ 1). */
  readonly size: number;
  /** The shared model and the task, given to every thread. */
  readonly init: { base: ModelDescription | undefined; task: BatchTask };
  /** Per-point time limit in ms (0 or undefined: none); the thread is then replaced. */
  readonly timeoutMs?: number | undefined;
  /** The worker script (default the batch runner's built `worker.js`). */
  readonly script?: URL | undefined;
}

interface Pending {
  readonly input: PointInput;
  readonly resolve: (outcome: JobOutcome<ResultRecord>) => void;
}

interface Slot {
  worker: Worker;
  job?: { seq: number; pending: Pending; timer?: NodeJS.Timeout | undefined };
}

/**
 * Worker threads that compute points handed in one at a time (`submit`), for the queue worker:
 * the main thread stays free for Redis (BullMQ renews job locks while points are computed). It
 * runs the batch runner's worker script, so a point gives the very same results line as in a
 * local `spey batch`. A thread that crashes or exceeds the time limit is replaced; its point's
 * outcome says so (`WorkerError` or `Timeout`).
 */
export class PointPool {
  private readonly options: PointPoolOptions;
  private readonly slots: Slot[] = [];
  private readonly waiting: Pending[] = [];
  private readonly script: URL;
  private seq = 0;
  private closed = false;

  constructor(options: PointPoolOptions) {
    if (!(Number.isInteger(options.size) && options.size >= 1)) {
      throw new RangeError(`the pool size must be an integer ≥ 1; got ${options.size}.`);
    }
    this.options = options;
    this.script = options.script ?? WORKER_SCRIPT;
    for (let i = 0; i < options.size; i++) {
      const slot: Slot = { worker: this.spawn() };
      this.slots.push(slot);
      this.bind(slot);
    }
  }

  /** Compute one point; resolves with the results line or why there is none (never rejects). */
  submit(input: PointInput): Promise<JobOutcome<ResultRecord>> {
    if (this.closed) return Promise.resolve({ ok: false, type: "WorkerError", message: "the worker is shutting down" });
    return new Promise((resolve) => {
      this.waiting.push({ input, resolve });
      const idle = this.slots.find((s) => !s.job);
      if (idle) this.dispatch(idle);
    });
  }

  /** Terminate the threads; points in flight resolve as `WorkerError`. */
  async close(): Promise<void> {
    this.closed = true;
    const stopping = this.slots.map((slot) => {
      const job = slot.job;
      slot.job = undefined;
      if (job?.timer) clearTimeout(job.timer);
      job?.pending.resolve({ ok: false, type: "WorkerError", message: "the worker is shutting down" });
      return slot.worker.terminate();
    });
    for (const pending of this.waiting.splice(0)) {
      pending.resolve({ ok: false, type: "WorkerError", message: "the worker is shutting down" });
    }
    await Promise.all(stopping);
  }

  private spawn(): Worker {
    const worker = new Worker(this.script, { workerData: this.options.init });
    worker.unref();
    return worker;
  }

  private bind(slot: Slot): void {
    const worker = slot.worker;
    worker.on("message", (message: { seq: number; record: ResultRecord; started?: true }) => {
      if (slot.worker !== worker || slot.job?.seq !== message.seq) return;
      if (message.started) this.startClock(slot);
      else this.finish(slot, { ok: true, value: message.record });
    });
    worker.on("error", (error: Error) => {
      if (slot.worker === worker) {
        this.replace(slot, { ok: false, type: "WorkerError", message: `the worker thread failed: ${error.message}` });
      }
    });
    worker.on("exit", (code) => {
      if (slot.worker === worker && !this.closed) {
        this.replace(slot, { ok: false, type: "WorkerError", message: `the worker thread exited with code ${code}` });
      }
    });
  }

  private finish(slot: Slot, outcome: JobOutcome<ResultRecord>): void {
    const job = slot.job;
    if (!job) return;
    if (job.timer) clearTimeout(job.timer);
    slot.job = undefined;
    job.pending.resolve(outcome);
    this.dispatch(slot);
  }

  private replace(slot: Slot, outcome: JobOutcome<ResultRecord>): void {
    if (this.closed) return;
    const old = slot.worker;
    slot.worker = this.spawn();
    this.bind(slot);
    void old.terminate();
    if (slot.job) this.finish(slot, outcome);
    else this.dispatch(slot);
  }

  private dispatch(slot: Slot): void {
    if (this.closed || slot.job) return;
    const pending = this.waiting.shift();
    if (!pending) return;
    const seq = ++this.seq;
    // The time limit counts from the worker's `started` message (batch/pool.ts explains why);
    // until then a generous start-up limit.
    const timer = setTimeout(() => {
      this.replace(slot, {
        ok: false,
        type: "WorkerError",
        message: `the worker thread did not start within ${STARTUP_LIMIT_MS / 1000} s`,
      });
    }, STARTUP_LIMIT_MS);
    slot.job = { seq, pending, timer };
    slot.worker.postMessage({ seq, point: pending.input });
  }

  /** The worker started the slot's job: its time limit counts from now. */
  private startClock(slot: Slot): void {
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
}
