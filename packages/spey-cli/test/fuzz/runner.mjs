// The fuzz runner: every target's inputs in worker threads, a 20 s watchdog per input (a thread
// stuck on one input is terminated, the input recorded as a hang, and a fresh thread goes on with
// the next one), and a summary per target.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { TARGETS } from "./targets.mjs";

const WORKER = new URL("./worker.mjs", import.meta.url);

/** Inputs after which a lane's thread is replaced at the end of its job (the CI slice never reaches it). */
const RECYCLE_AFTER = 2000;

/**
 * Run `runs` inputs of each selected target (numbered from `first`) on `threads` worker threads;
 * the queue targets only with `redisUrl` (a running redis-server).
 * Returns one summary per target: counts of ok / typed / untyped / bad / hang / harness outcomes
 * and up to `keep` examples of each failure kind (target, input number, detail, argv).
 */
export async function runFuzz({
  runs,
  first = 0,
  seed = 1,
  threads = 2,
  watchdogMs = 20_000,
  only,
  keep = 5,
  onProgress,
  failuresDir,
  redisUrl,
}) {
  // the queue targets need a redis-server (run.mjs starts one); the worker threads read its URL
  // from the environment they copy when they start
  if (redisUrl) process.env.SPEY_FUZZ_REDIS_URL = redisUrl;
  const selected = TARGETS.map((t, i) => ({ t, i }))
    .filter(({ t }) => !t.needsRedis || redisUrl)
    .filter(({ t }) => !only || only.some((o) => t.name.includes(o)));
  const summaries = new Map(
    selected.map(({ t }) => [
      t.name,
      { target: t.name, inputs: 0, ok: 0, typed: 0, untyped: 0, bad: 0, hang: 0, harness: 0, examples: [], seconds: 0 },
    ]),
  );
  // Jobs: chunks of inputs, so that both threads stay busy until the end.
  const CHUNK = Math.max(50, Math.ceil(runs / 4));
  const jobs = [];
  for (const { t, i } of selected) {
    for (let from = first; from < first + runs; from += CHUNK)
      jobs.push({ name: t.name, targetIndex: i, from, to: Math.min(from + CHUNK, first + runs) });
  }
  let done = 0;
  const total = selected.length * runs;
  const record = (summary, i, outcome) => {
    summary.inputs += 1;
    summary[outcome.kind] += 1;
    if (outcome.kind !== "ok" && outcome.kind !== "typed") {
      if (summary.examples.filter((e) => e.kind === outcome.kind).length < keep) {
        summary.examples.push({ kind: outcome.kind, input: i, seed, detail: outcome.detail, argv: outcome.argv });
      }
      if (failuresDir) {
        mkdirSync(failuresDir, { recursive: true });
        writeFileSync(
          join(failuresDir, `${summary.target.replace(/[^a-z0-9]+/gi, "-")}-${i}.json`),
          `${JSON.stringify({ target: summary.target, input: i, seed, ...outcome }, null, 1)}\n`,
        );
      }
    }
    done += 1;
    onProgress?.(done, total);
  };

  // One worker thread per lane, kept from job to job; replaced only when it hangs or dies.
  const runJob = (job, lane) =>
    new Promise((resolve, reject) => {
      const summary = summaries.get(job.name);
      const started = Date.now();
      let next = job.from;
      const start = (from) => {
        if (from >= job.to) {
          summary.seconds += (Date.now() - started) / 1000;
          resolve();
          return;
        }
        const data = { targetIndex: job.targetIndex, seed, from, to: job.to };
        const worker = lane.worker ?? new Worker(WORKER, { workerData: data });
        if (lane.worker) worker.postMessage(data);
        lane.worker = worker;
        let timer;
        let current = from;
        let currentArgv;
        let settled = false;
        const detach = () => {
          clearTimeout(timer);
          settled = true;
          worker.off("message", onMessage);
          worker.off("error", onError);
          worker.off("exit", onExit);
        };
        /** The thread is lost (hung, failed or exited): the lane starts a fresh one. */
        const lose = () => {
          detach();
          if (lane.worker === worker) {
            lane.worker = undefined;
            lane.inputs = 0;
          }
        };
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            if (settled) return;
            lose();
            record(summary, current, {
              kind: "hang",
              detail: `no answer within ${watchdogMs / 1000} s`,
              ...(currentArgv ? { argv: currentArgv } : {}),
            });
            void worker.terminate().then(() => {
              // The terminated thread could not remove its scratch directory (worker.mjs names it).
              rmSync(join(tmpdir(), `spey-fuzz-${process.pid}-${job.targetIndex}-${from}`), {
                recursive: true,
                force: true,
              });
              start(current + 1);
            });
          }, watchdogMs);
        };
        const onMessage = (message) => {
          if (message.type === "start") {
            current = message.i;
            currentArgv = undefined;
            arm();
          } else if (message.type === "argv") {
            currentArgv = message.argv;
          } else if (message.type === "done") {
            clearTimeout(timer);
            record(summary, message.i, message.outcome);
            next = message.i + 1;
            lane.inputs += 1;
          } else if (message.type === "finished") {
            detach();
            if (lane.inputs < RECYCLE_AFTER) {
              start(job.to);
            } else {
              // a long run (npm run fuzz) starts a fresh thread now and then: bounded memory
              lane.worker = undefined;
              lane.inputs = 0;
              void worker.terminate().then(() => start(job.to));
            }
          }
        };
        const onError = (error) => {
          if (settled) return;
          lose();
          // The thread died (e.g. out of memory) on `current`: a failure of that input.
          record(summary, current, { kind: "untyped", detail: `worker died: ${error?.message ?? error}` });
          start(Math.max(next, current + 1));
        };
        const onExit = (code) => {
          if (settled) return;
          lose();
          record(summary, current, { kind: "untyped", detail: `worker exited with ${code}` });
          start(Math.max(next, current + 1));
        };
        worker.on("message", onMessage);
        worker.on("error", onError);
        worker.on("exit", onExit);
      };
      try {
        start(next);
      } catch (error) {
        reject(error);
      }
    });

  const queue = [...jobs];
  const lanes = Array.from({ length: Math.max(1, threads) }, () => ({ worker: undefined, inputs: 0 }));
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        for (let job = queue.shift(); job; job = queue.shift()) await runJob(job, lane);
      }),
    );
  } finally {
    await Promise.all(lanes.map((lane) => lane.worker?.terminate()));
  }
  return [...summaries.values()];
}

/** The summary as a table. */
export function formatSummary(summaries) {
  const header = ["target", "inputs", "ok", "typed", "untyped", "bad", "hang", "s"];
  const rows = summaries.map((s) =>
    [s.target, s.inputs, s.ok, s.typed, s.untyped, s.bad, s.hang, s.seconds.toFixed(0)].map(String),
  );
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}
