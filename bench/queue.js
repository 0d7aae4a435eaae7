#!/usr/bin/env node
// Queue-mode benchmark (run after `npm run build`; needs Debian's redis-server on PATH):
//
//   node bench/queue.js                        # everything
//   node bench/queue.js --points 2000 --memory-points 20000
//
// Starts its own redis-server on 127.0.0.1 (free port, temporary directory, appendonly yes with the
// default appendfsync everysec), then on the example grid's model (examples/grid, observed and
// expected upper limit with its ±1σ/±2σ band per point):
// 1. throughput of 1, 2 and 4 `spey worker` processes (one thread each) against a local
//    `spey batch --workers 1/2/4` of the same grid (both as command-line processes, start-up
//    included), and the per-point queue overhead: (queue time − local time) / points with one
//    worker, plus the enqueue and collect cost per point;
// 2. memory of a 100,000-point run with 2 workers: each worker process's resident set size
//    (main thread + its computing thread) and Redis's used_memory against the number of finished
//    points. Flat means the workers do not grow with the run; Redis holds one results line per
//    finished point (and the waiting jobs), so it grows with the run by design and shrinks as
//    waiting jobs turn into (smaller) results.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { gridText } from "../examples/grid/make-grid.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const cli = join(root, "packages/spey-cli/dist/cli/main.js");
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const points = option("--points", 5000);
const memoryPoints = option("--memory-points", 100_000);
const base = join(root, "examples/grid/background.json");
const tmp = mkdtempSync(join(tmpdir(), "spey-bench-queue-"));
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

if (spawnSync("redis-server", ["--version"]).status !== 0) {
  console.error("bench/queue.js needs redis-server: apt-get install -y redis-server");
  process.exit(1);
}
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const p = server.address().port;
    server.close(() => resolve(p));
  });
});
const redisDir = join(tmp, "redis");
spawnSync("mkdir", ["-p", redisDir]);
const redisServer = spawn(
  "redis-server",
  ["--bind", "127.0.0.1", "--port", String(port), "--dir", redisDir, "--appendonly", "yes", "--save", ""],
  { stdio: "ignore" },
);
const url = `redis://127.0.0.1:${port}/0`;
const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 100, 1000) });
// Connection refusals while redis-server is starting are retried; they are not errors here.
client.on("error", () => {});
await client.ping();

function writeGrid(n, name) {
  const side = Math.round(Math.sqrt(n));
  const text = gridText({ nx: side, ny: Math.ceil(n / side) });
  const lines = text.split("\n").filter(Boolean).slice(0, n);
  const path = join(tmp, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

function spey(args) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    env: { ...process.env, SPEY_LOGLEVEL: "" },
  });
  if (r.status !== 0) throw new Error(`spey ${args.join(" ")} failed: ${r.stderr}`);
  return (performance.now() - start) / 1000;
}

function startWorkers(run, n) {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, [cli, "worker", "--queue", url, "--run", run, "--concurrency", "1", "--exit-when-done"], {
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
}
const exited = (child) => new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
async function redisMemory() {
  const info = await client.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

console.log(
  `spey queue benchmark — Node ${process.version}, ${cpus()[0]?.model ?? "cpu"} × ${cpus().length}, redis-server on 127.0.0.1`,
);
console.log(
  `\n${points}-point grid (example model, observed + expected limit with ±1σ/±2σ band), wall time including process start-up:`,
);
const grid = writeGrid(points, "grid.jsonl");
const local = {};
const queue = {};
let enqueueSeconds = 0;
let collectSeconds = 0;
for (const n of [1, 2, 4]) {
  local[n] = spey([
    "batch",
    grid,
    "--base",
    base,
    "--compute",
    "limit",
    "--workers",
    String(n),
    "--no-progress",
    "-o",
    join(tmp, `local-${n}.jsonl`),
  ]);
  const run = `bench-${n}`;
  const enqueue = spey(["batch", grid, "--base", base, "--compute", "limit", "--queue", url, "--run", run, "--detach"]);
  if (n === 1) enqueueSeconds = enqueue;
  const start = performance.now();
  await Promise.all(startWorkers(run, n).map(exited));
  queue[n] = (performance.now() - start) / 1000;
  const collect = spey(["collect", "--queue", url, "--run", run, "-o", join(tmp, `queue-${n}.jsonl`)]);
  if (n === 1) collectSeconds = collect;
  console.log(
    `  ${n} worker${n > 1 ? "s" : " "}: local batch ${local[n].toFixed(1)} s (${(points / local[n]).toFixed(0)} points/s), queue ${queue[n].toFixed(1)} s (${(points / queue[n]).toFixed(0)} points/s)`,
  );
}
console.log(
  `  per-point queue overhead with 1 worker: ${((1000 * (queue[1] - local[1])) / points).toFixed(2)} ms (${((1000 * local[1]) / points).toFixed(2)} ms per point locally)`,
);
console.log(
  `  enqueue: ${((1000 * enqueueSeconds) / points).toFixed(3)} ms per point (${enqueueSeconds.toFixed(1)} s with start-up); collect: ${((1000 * collectSeconds) / points).toFixed(3)} ms per point`,
);

if (memoryPoints > 0) {
  console.log(`\n${memoryPoints}-point run, 2 workers (one thread each):`);
  const big = writeGrid(memoryPoints, "big.jsonl");
  const before = await redisMemory();
  const enqueue = spey([
    "batch",
    big,
    "--base",
    base,
    "--compute",
    "limit",
    "--queue",
    url,
    "--run",
    "memory",
    "--detach",
  ]);
  const afterEnqueue = await redisMemory();
  console.log(
    `  enqueue ${enqueue.toFixed(1)} s; Redis used_memory ${mb(before)} → ${mb(afterEnqueue)} MiB with ${memoryPoints} waiting jobs`,
  );
  const workers = startWorkers("memory", 2);
  const samples = [];
  const start = performance.now();
  const timer = setInterval(async () => {
    const done = await client.hlen("spey:memory:results");
    samples.push({
      t: performance.now() - start,
      done,
      rss: workers.map((w) => rssOf(w.pid)),
      redis: await redisMemory(),
    });
  }, 1000);
  await Promise.all(workers.map(exited));
  clearInterval(timer);
  const seconds = (performance.now() - start) / 1000;
  console.log(`  computed in ${seconds.toFixed(0)} s (${(memoryPoints / seconds).toFixed(0)} points/s)`);
  console.log("  finished points → worker RSS (each) and Redis used_memory");
  // Samples while both workers run (at the very end the first one has exited).
  const running = samples.filter((x) => x.rss.every((r) => r > 0));
  for (const fraction of [0.05, 0.25, 0.5, 0.75, 0.9]) {
    const s = running.find((x) => x.done >= fraction * memoryPoints) ?? running.at(-1);
    console.log(
      `  ${String(Math.round(fraction * 100)).padStart(3)}%  ${String(s.done).padStart(7)} points  workers ${s.rss.map(mb).join(" / ")} MiB  Redis ${mb(s.redis)} MiB`,
    );
  }
  const at = (f) => running.find((x) => x.done >= f * memoryPoints) ?? running.at(-1);
  const growth = at(0.9).rss.map((r, i) => r - at(0.25).rss[i]);
  console.log(`  worker RSS(90%) − RSS(25%): ${growth.map(mb).join(" / ")} MiB`);
  const out = join(tmp, "memory.jsonl");
  const collect = spey(["collect", "--queue", url, "--run", "memory", "-o", out]);
  console.log(
    `  collect: ${collect.toFixed(1)} s; Redis at the end ${mb(await redisMemory())} MiB (${((await redisMemory()) / memoryPoints).toFixed(0)} bytes per finished point)`,
  );
}

client.disconnect();
redisServer.kill("SIGTERM");
await exited(redisServer);
rmSync(tmp, { recursive: true, force: true });
