#!/usr/bin/env node
// Batch benchmark (run after `npm run build`):
//
//   node bench/batch.js                 # both parts
//   node bench/batch.js --points 2500   # smaller memory grid (0 to skip); --skip-heavy
//
// 1. Wall time of the shipped 400-point example grid (examples/grid) computing the observed
//    upper limit and the expected one with its ±1σ/±2σ band at every point, with 1 and 2
//    worker threads (median of 3 runs each).
//    The example model is fast (a few ms per point), so start-up and JIT warm-up weigh; the same
//    is then timed on a heavier 400-point grid: the CMS 8-bin correlated example
//    (examples/cms-8bin.json) with its signal scaled from 0.3 to 1.5 (one run each).
// 2. Memory over a 10,000-point grid (the same model on a 100 × 100 plane): the process's
//    resident set size (main thread and workers) sampled every 100 ms against the number of
//    finished points. Flat means no growth with the number of points once the heaps have sized
//    up: RSS(95%) − RSS(50%) stays within a few MiB (try --points 40000 to see the plateau).
//    The grid is also run with 1 worker, for the steady-state speed-up once start-up and JIT
//    warm-up (~0.3 s and ~0.5 s per worker) no longer weigh.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { runBatch } from "../packages/spey-cli/dist/batch/runner.js";
import { gridText } from "../examples/grid/make-grid.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const memoryPoints = option("--points", 10_000);
const task = {
  compute: ["limit"],
  confidenceLevel: 0.95,
  expected: "aposteriori",
  poiTest: 1,
  calculator: "asymptotic",
};
const tmp = mkdtempSync(join(tmpdir(), "spey-bench-"));
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

function writeHeavyGrid() {
  const cms = JSON.parse(readFileSync(join(root, "examples/cms-8bin.json"), "utf8"));
  const lines = Array.from({ length: 400 }, (_, k) => {
    const scale = 0.3 + (1.2 * k) / 399;
    return JSON.stringify({ id: k, meta: { scale }, signalYields: cms.signalYields.map((s) => s * scale) });
  });
  const path = join(tmp, "heavy.jsonl");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

async function timeGrid(
  workers,
  run,
  gridPath = join(root, "examples/grid/grid.jsonl"),
  basePath = join(root, "examples/grid/background.json"),
) {
  const outputPath = join(tmp, `t-${workers}-${run}.jsonl`);
  const start = performance.now();
  const summary = await runBatch({
    gridPath,
    basePath,
    outputPath,
    workers,
    task,
    progress: false,
  });
  const seconds = (performance.now() - start) / 1000;
  if (summary.computed !== 400 || summary.failed !== 0) throw new Error(`unexpected run: ${JSON.stringify(summary)}`);
  rmSync(outputPath);
  return seconds;
}

async function memoryRun(workers) {
  const side = Math.round(Math.sqrt(memoryPoints));
  const gridPath = join(tmp, "grid-memory.jsonl");
  writeFileSync(gridPath, gridText({ nx: side, ny: Math.ceil(memoryPoints / side) }));
  const outputPath = join(tmp, `memory-${workers}.jsonl`);
  const samples = [];
  // The run's progress bar, drawn into a string instead of a terminal, tells how many points are done.
  let done = 0;
  const progress = {
    isTTY: true,
    columns: 120,
    write: (text) => {
      const match = /\] (\d+)\//.exec(text);
      if (match) done = Number(match[1]);
    },
  };
  const sample = () => samples.push({ t: performance.now(), done, rss: process.memoryUsage().rss });
  const timer = setInterval(sample, 100);
  const start = performance.now();
  const summary = await runBatch({
    gridPath,
    basePath: join(root, "examples/grid/background.json"),
    outputPath,
    workers,
    task,
    progress,
  });
  clearInterval(timer);
  sample();
  return { summary, samples, seconds: (performance.now() - start) / 1000 };
}

console.log(`spey batch benchmark — Node ${process.version}, ${cpus()[0]?.model ?? "cpu"} × ${availableParallelism()}`);
// Control: how much parallelism the machine really gives (a busy loop on 1 and 2 threads).
async function busyThreads(n) {
  const code = `const { parentPort } = require("node:worker_threads"); let x = 0; for (let i = 0; i < 1e8; i++) x += Math.sqrt(i); parentPort.postMessage(x);`;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve) => new Worker(code, { eval: true }).on("message", resolve))),
  );
  return (performance.now() - start) / 1000;
}
const one = await busyThreads(1);
const two = await busyThreads(2);
console.log(
  `control: a busy loop takes ${one.toFixed(2)} s on 1 thread, two of them ${two.toFixed(2)} s on 2 threads → ${((2 * one) / two).toFixed(2)}× the throughput (2.00× on two free cores)`,
);

console.log("\n400-point example grid, observed + expected upper limit with ±1σ/±2σ band (median of 3 runs):");
const timings = {};
for (const workers of [1, 2]) {
  const runs = [];
  for (let run = 0; run < 3; run++) runs.push(await timeGrid(workers, run));
  runs.sort((a, b) => a - b);
  timings[workers] = runs[1];
  console.log(
    `  ${workers} worker${workers > 1 ? "s" : " "}: ${runs[1].toFixed(2)} s  (${(400 / runs[1]).toFixed(0)} points/s; runs ${runs.map((r) => r.toFixed(2)).join(", ")} s)`,
  );
}
console.log(`  speed-up 1 → 2 workers: ${(timings[1] / timings[2]).toFixed(2)}×`);

if (!argv.includes("--skip-heavy")) {
  console.log("\n400-point grid of the CMS 8-bin correlated model, same computation (one run each):");
  const heavy = writeHeavyGrid();
  const cms = join(root, "examples/cms-8bin.json");
  const t1 = await timeGrid(1, "h", heavy, cms);
  const t2 = await timeGrid(2, "h", heavy, cms);
  console.log(`  1 worker : ${t1.toFixed(2)} s  (${(400 / t1).toFixed(1)} points/s)`);
  console.log(`  2 workers: ${t2.toFixed(2)} s  (${(400 / t2).toFixed(1)} points/s)`);
  console.log(`  speed-up 1 → 2 workers: ${(t1 / t2).toFixed(2)}×`);
}

if (memoryPoints > 0) {
  const single = await memoryRun(1);
  const { summary, samples, seconds } = await memoryRun(2);
  // Steady-state rate: points finished between 25% and 95% of the run, per second.
  const rate = (run) => {
    const a = run.samples.find((x) => x.done >= 0.25 * run.summary.total);
    const b = run.samples.find((x) => x.done >= 0.95 * run.summary.total);
    return a && b && b.t > a.t ? ((b.done - a.done) * 1000) / (b.t - a.t) : Number.NaN;
  };
  console.log(`\n${summary.total}-point grid (the example model on a denser plane):`);
  console.log(
    `  1 worker : ${single.seconds.toFixed(1)} s  (steady ${rate(single).toFixed(0)} points/s)\n  2 workers: ${seconds.toFixed(1)} s  (steady ${rate({ summary, samples }).toFixed(0)} points/s), ${summary.ok} ok, ${summary.failed} failed`,
  );
  console.log(
    `  speed-up 1 → 2 workers: ${(single.seconds / seconds).toFixed(2)}× overall, ${(rate({ summary, samples }) / rate(single)).toFixed(2)}× steady`,
  );
  console.log("  2 workers: finished points → resident set size (main thread + workers)");
  const at = (fraction) => samples.find((s) => s.done >= fraction * summary.total) ?? samples.at(-1);
  for (const fraction of [0.1, 0.25, 0.5, 0.75, 0.95]) {
    const s = at(fraction);
    console.log(
      `  ${String(Math.round(fraction * 100)).padStart(3)}%  ${String(s.done).padStart(6)} points  RSS ${mb(s.rss)} MiB`,
    );
  }
  const running = samples.filter((s) => s.done < summary.total);
  const peak = Math.max(...running.map((s) => s.rss));
  console.log(
    `  peak while running ${mb(peak)} MiB; RSS(95%) − RSS(50%) = ${mb(at(0.95).rss - at(0.5).rss)} MiB; after the workers exit ${mb(samples.at(-1).rss)} MiB`,
  );
  console.log("  (the rise over the first thousands of points is the workers' V8 heaps sizing up; then it is flat)");
}
rmSync(tmp, { recursive: true, force: true });
