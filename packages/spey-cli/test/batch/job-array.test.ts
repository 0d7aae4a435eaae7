/**
 * The job-array examples (examples/job-arrays: HTCondor submit file, Slurm sbatch script, the
 * shard.sh job body) run for real: every job of the array as a separate process with the index the
 * batch system would give it, then `spey merge`; the merged file must equal a single local
 * `spey batch` run of the whole grid, line for line.
 */
import { spawn } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAUNCHER, ROOT, run as spey, temporaryDirectory } from "../cli/helpers.js";
import { readResultsStrict } from "./helpers.js";

const tmp = temporaryDirectory("job-array");
const examples = join(ROOT, "examples/job-arrays");
/** Jobs of both examples. */
const JOBS = 10;
let reference: ReturnType<typeof readResultsStrict>;
let gridIds: string[];

/** Run `command args` in the temporary directory; resolves with its exit code and stderr. */
function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: tmp.path,
      env: { ...process.env, SPEY: `${process.execPath} ${LAUNCHER}`, SPEY_LOGLEVEL: "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/** Run jobs 0…n−1 as separate processes, at most 4 at a time (2 cores). */
async function runArray(n: number, job: (index: number) => Promise<{ code: number | null; stderr: string }>) {
  const results: { code: number | null; stderr: string }[] = [];
  for (let start = 0; start < n; start += 4) {
    const batch = Array.from({ length: Math.min(4, n - start) }, (_, k) => job(start + k));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

async function expectMergedEqualsReference(parts: string): Promise<void> {
  const merged = join(tmp.path, `${parts}-merged.jsonl`);
  const files = Array.from({ length: JOBS }, (_, k) => join(tmp.path, parts, `shard-${k + 1}-of-${JOBS}.jsonl`));
  const merge = await spey(["merge", ...files, "--grid", join(tmp.path, "grid.jsonl"), "-o", merged]);
  expect(merge.stderr).toBe("");
  expect(merge.code).toBe(0);
  const got = readResultsStrict(merged);
  // Every point once (merge writes grid order, the local run completion order)…
  expect(got.ids).toEqual(gridIds);
  expect([...reference.ids].sort()).toEqual([...gridIds].sort());
  // …each line byte for byte the local run's.
  for (const id of reference.ids) expect(got.lines.get(id)).toBe(reference.lines.get(id));
}

beforeAll(async () => {
  // The example grid's first 100 points (the cost here is 2 × 10 process start-ups, not the points).
  const lines = readFileSync(join(ROOT, "examples/grid/grid.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, 100);
  writeFileSync(join(tmp.path, "grid.jsonl"), `${lines.join("\n")}\n`);
  gridIds = lines.map((l) => (JSON.parse(l) as { id: string }).id);
  copyFileSync(join(ROOT, "examples/grid/background.json"), join(tmp.path, "background.json"));
  for (const file of ["shard.sh", "slurm.sbatch"]) copyFileSync(join(examples, file), join(tmp.path, file));
  // The local reference run in-process (the jobs below are the processes under test), on one
  // thread as each job: a second thread would add its start-up and warm-up, not speed, for 100 points.
  const local = join(tmp.path, "local.jsonl");
  const base = join(tmp.path, "background.json");
  const result = await spey(["batch", join(tmp.path, "grid.jsonl"), "--base", base, "-o", local, "--workers", "1"]);
  expect(result.code).toBe(0);
  reference = readResultsStrict(local);
  expect(reference.ids).toHaveLength(100);
});
afterAll(() => tmp.remove());

describe("job arrays", () => {
  it("HTCondor: the submit file's processes, each shard $(Process)+1 of N, merge to the local run", async () => {
    const submit = readFileSync(join(examples, "htcondor.sub"), "utf8");
    const queue = Number(/^queue\s+(\d+)\s*$/m.exec(submit)?.[1]);
    const args = /^arguments\s*=\s*(.+)$/m.exec(submit)?.[1]?.trim().split(/\s+/) ?? [];
    expect(queue).toBe(JOBS);
    expect(args).toEqual(["$(Process)", String(JOBS), "grid.jsonl", "background.json", "results"]);
    const results = await runArray(queue, (p) =>
      run(
        "sh",
        ["./shard.sh", ...args.map((a) => (a === "$(Process)" ? String(p) : a === "results" ? "condor" : a))],
        {},
      ),
    );
    expect(results.map((r) => r.stderr)).toEqual(Array(JOBS).fill(""));
    expect(results.map((r) => r.code)).toEqual(Array(JOBS).fill(0));
    await expectMergedEqualsReference("condor");
  });

  it("Slurm: the sbatch script's array tasks 0…N−1 merge to the local run", async () => {
    const script = readFileSync(join(examples, "slurm.sbatch"), "utf8");
    const array = /^#SBATCH --array=0-(\d+)$/m.exec(script);
    expect(Number(array?.[1]) + 1).toBe(JOBS);
    const results = await runArray(JOBS, (task) =>
      run("bash", ["./slurm.sbatch"], { SLURM_ARRAY_TASK_ID: String(task), SLURM_CPUS_PER_TASK: "1" }),
    );
    expect(results.map((r) => r.stderr)).toEqual(Array(JOBS).fill(""));
    expect(results.map((r) => r.code)).toEqual(Array(JOBS).fill(0));
    await expectMergedEqualsReference("results");
  });
});
