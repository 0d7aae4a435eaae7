/**
 * Worker-thread entry of the batch pool (runs the built JavaScript, never TypeScript sources).
 * `workerData`: `{ base, task }`; each message `{ seq, point }` is answered with `{ seq, started: true }`
 * as the computation starts (the pools' time limits count from there, not from the thread's
 * start-up, which a loaded machine can make slow) and then `{ seq, record }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ModelDescription } from "./description.js";
import { type BatchTask, computePoint, type PointInput } from "./task.js";

interface WorkerInit {
  readonly base?: ModelDescription;
  readonly task: BatchTask;
}

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("batch/worker.js must run as a worker thread.");
port.on("message", (message: { seq: number; point: PointInput }) => {
  port.postMessage({ seq: message.seq, started: true });
  port.postMessage({ seq: message.seq, record: computePoint(message.point, init.base, init.task) });
});
