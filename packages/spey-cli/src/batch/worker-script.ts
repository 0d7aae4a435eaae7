/**
 * The batch worker thread's script: the built `worker.js` beside this module. Worker threads run
 * built JavaScript only, so when this module itself runs from the TypeScript sources (the tests
 * run the command line in-process) it is the copy in dist/, which the tests build first.
 */
export const WORKER_SCRIPT = new URL(
  import.meta.url.endsWith(".ts") ? "../../dist/batch/worker.js" : "./worker.js",
  import.meta.url,
);
