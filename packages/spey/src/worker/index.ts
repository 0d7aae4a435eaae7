/**
 * A pool of Web Workers with a Promise API, progress callbacks and cancellation by `AbortSignal`
 * (`spey/worker`), and the worker side (`serveWorker`). No computation code: the tasks a worker
 * serves come from `spey/worker/tasks` (or your own handlers). This file only lists exports.
 */
export { TaskError, WorkerPool } from "./pool.js";
export type { MapOptions, MapProgress, PoolStats, RunOptions, Settled, WorkerLike, WorkerPoolOptions } from "./pool.js";
export { abortError, serveWorker } from "./serve.js";
export type { CancellationSignal, TaskContext, TaskHandler, WorkerEndpoint } from "./serve.js";
export { ABORT_ERROR } from "./protocol.js";
export type { ErrorData, FromWorker, ToWorker } from "./protocol.js";
