// Fuzz worker thread: runs inputs [from, to) of one target (then of every further job the runner
// posts to it) and reports each start and outcome to the runner, whose watchdog terminates the
// thread when one input takes longer than 20 s.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import * as spey from "spey";
import { classifyCli, classifyLibrary, describeFailure } from "./classify.mjs";
import { runCli, scratch, TARGETS } from "./targets.mjs";

export const BLOCK = 50;

/** Input `i` of a target: block ⌊i/50⌋ is one fast-check sample with its own seed. */
export function inputAt(target, targetIndex, seed, i, cache) {
  const block = Math.floor(i / BLOCK);
  if (cache.block !== block || cache.target !== targetIndex) {
    cache.values = fc.sample(target.arbitrary, {
      seed: seed * 1_000_003 + targetIndex * 10_007 + block,
      numRuns: BLOCK,
    });
    cache.block = block;
    cache.target = targetIndex;
  }
  return cache.values[i % BLOCK];
}

class Capture {
  constructor() {
    this.chunks = [];
    this.isTTY = false;
  }
  write(chunk) {
    this.chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }
  get text() {
    return this.chunks.join("");
  }
}

async function runOne(target, input, dir) {
  if (target.kind === "library") {
    const { result, error, records } = (() => {
      try {
        const { result, records } = spey.captureLogs(() => target.run(input));
        return { result, records };
      } catch (error) {
        return { error, records: [] };
      }
    })();
    return classifyLibrary(result, error, records);
  }
  const { argv, stdin } = target.build(dir, input);
  // The runner keeps it: an input that never answers is reported with the command to reproduce it.
  parentPort.postMessage({ type: "argv", argv });
  const stdout = new Capture();
  const stderr = new Capture();
  const errors = [];
  const bytes = Buffer.from(stdin ?? "", "utf8");
  let code;
  let thrown;
  try {
    code = await runCli(["node", "spey", ...argv], {
      stdout,
      stderr,
      stdin: () => bytes,
      onError: (error) => errors.push(error),
    });
  } catch (error) {
    thrown = error;
  }
  // Plots written to files are checked like standard output (their geometry must be numbers).
  const written = argv
    .map((a, k) => (argv[k - 1] === "-o" && a.endsWith(".svg") && existsSync(a) ? readFileSync(a, "utf8") : ""))
    .join("\n");
  const outcome = classifyCli({ argv, code, stdout: stdout.text, stderr: stderr.text, errors, thrown, written });
  // Failures keep what the command printed (cut at 20,000 characters) to be reproduced.
  return outcome.kind === "ok" || outcome.kind === "typed"
    ? { ...outcome, argv }
    : { ...outcome, argv, code, stdout: stdout.text.slice(0, 20_000), stderr: stderr.text.slice(0, 20_000) };
}

/** Inputs [from, to) of one target; the runner's watchdog sees each start and outcome. */
async function runJob({ targetIndex, seed, from, to }, cache) {
  const target = TARGETS[targetIndex];
  const dir = scratch(join(tmpdir(), `spey-fuzz-${process.pid}-${targetIndex}-${from}`));
  try {
    for (let i = from; i < to; i++) {
      parentPort.postMessage({ type: "start", i });
      const input = inputAt(target, targetIndex, seed, i, cache);
      let outcome;
      try {
        outcome = await runOne(target, input, dir);
      } catch (error) {
        // A failure of the harness itself (e.g. writing a file): report it, it is not the library's.
        outcome = { kind: "harness", detail: describeFailure(error) };
      }
      parentPort.postMessage({ type: "done", i, outcome });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  parentPort.postMessage({ type: "finished" });
}

// The thread runs the job it was started with, then every job the runner sends it (one thread per
// lane for the whole run: the modules are loaded and compiled once, not once per job).
const cache = {};
let chain = runJob(workerData, cache);
parentPort.on("message", (job) => {
  chain = chain.then(() => runJob(job, cache));
});
