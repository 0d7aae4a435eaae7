// A spey worker on Node's worker_threads for the pool tests: the built library (the vitest global
// setup builds packages/spey/dist) serving its ready-made tasks on the parent port.
import { parentPort } from "node:worker_threads";
import { serveWorker } from "../../dist/worker/index.js";
import { speyTasks } from "../../dist/worker/tasks.js";

serveWorker(speyTasks, parentPort);
