// The playground's computation worker: the library's ready-made tasks, served to the page's pool.
// Library warnings are returned with the results (captureLogs), never printed to the console.
import { setLogHandler } from "spey";
import { serveWorker } from "spey/worker";
import { speyTasks } from "spey/worker/tasks";

setLogHandler(() => {});
serveWorker(speyTasks);
