// Stretch goal of issue #3: a grid of 10,000 eight-bin correlated models (UL + ±2σ bands),
// spread over worker threads. Usage: node bench/grid.js [points=10000] [workers=2]
import { availableParallelism } from "node:os";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { argumentsFor, syntheticModel } from "./models.js";

if (isMainThread) {
  const points = Number(process.argv[2] ?? 10000);
  const workers = Number(process.argv[3] ?? Math.min(2, availableParallelism()));
  const t0 = performance.now();
  const chunks = Array.from({ length: workers }, (_, w) => ({
    from: Math.floor((w * points) / workers),
    to: Math.floor(((w + 1) * points) / workers),
  }));
  const results = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: chunk });
          worker.on("message", resolve);
          worker.on("error", reject);
        }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const done = results.reduce((s, r) => s + r.done, 0);
  const finite = results.reduce((s, r) => s + r.finite, 0);
  console.log(
    `${done} eight-bin correlated models, UL + ±2σ bands, ${workers} worker(s): ${seconds.toFixed(1)} s (${((1000 * seconds) / done).toFixed(2)} ms/point wall, ${finite} finite observed limits)`,
  );
} else {
  const { getBackend, setLogHandler } = await import("../packages/spey/dist/index.js");
  setLogHandler(() => {});
  let finite = 0;
  for (let i = workerData.from; i < workerData.to; i++) {
    const m = syntheticModel(8, { signalScale: 0.2 + (i % 100) / 50, shift: i });
    const model = getBackend("default.correlated_background")(argumentsFor("default.correlated_background", m));
    const obs = model.poiUpperLimit();
    model.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" });
    if (Number.isFinite(obs)) finite++;
  }
  parentPort.postMessage({ done: workerData.to - workerData.from, finite });
}
