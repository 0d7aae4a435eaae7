/**
 * Queue mode against a real redis-server (started on 127.0.0.1 with a free port and a temporary
 * directory): `spey batch --queue`, `spey worker`, `spey status`, `spey collect` run in-process
 * (`run`: the CLI's own runCli, worker threads on the built worker script) and, where a process is
 * what is tested (a worker beside a following batch, SIGTERM), with the built CLI; plus the
 * worker's retry path in-process with a thread that crashes.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueRun } from "../../src/queue/client.js";
import { parseQueueUrl } from "../../src/queue/connection.js";
import { QueueInputError } from "../../src/queue/errors.js";
import { runQueueWorker } from "../../src/queue/queue-worker.js";
import { jobId, QUEUE_NAME, readMeta, runKeys } from "../../src/queue/run.js";
import { ROOT, run, startCli, temporaryDirectory } from "../cli/helpers.js";
import { readResultsStrict } from "../batch/helpers.js";
import { type RedisServer, startRedis } from "./redis-server.js";
import { bullmq, ioredis } from "../../src/queue/cjs-packages.js";
// bullmq and ioredis through require, as the CLI loads them (src/queue/cjs-packages.ts explains why).
const { Queue } = bullmq();
const { Redis } = ioredis();

const tmp = temporaryDirectory("queue");
const BASE = "examples/grid/background.json";
const TASK = ["--compute", "limit"];
let redis: RedisServer;
let grid: string;
let ids: string[];
let reference: Map<string, string>;
let referenceHeader: Record<string, unknown> | undefined;

/** 40 points of the example grid plus one invalid point (two signal yields for three bins). */
function writeGrid(): void {
  const lines = readFileSync(join(ROOT, "examples/grid/grid.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, 40);
  lines.splice(
    5,
    0,
    JSON.stringify({ id: "bad", meta: { m_gluino: 990, m_neutralino: 0, xsection_fb: 1 }, signal_yields: [1, 2] }),
  );
  grid = join(tmp.path, "grid.jsonl");
  writeFileSync(grid, `${lines.join("\n")}\n`);
  ids = lines.map((l) => String((JSON.parse(l) as { id: string }).id));
}

/** Enqueue the test grid (limits on the example base) as run `name`, without waiting for workers. */
function enqueueDetached(name: string): ReturnType<typeof run> {
  return run(["batch", grid, "--base", BASE, ...TASK, "--queue", redis.url, "--run", name, "--detach"]);
}

async function queueStatus(name: string, url = redis.url): Promise<Record<string, unknown>> {
  const result = await run(["status", "--queue", url, "--run", name, "--json"]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

function expectReferenceLines(file: string): void {
  const parsed = readResultsStrict(file);
  expect(parsed.header).toEqual(referenceHeader);
  // Every point exactly once, in grid order…
  expect(parsed.ids).toEqual(ids);
  // …and each line byte for byte the line of a local `spey batch` (results are deterministic).
  for (const id of ids) expect(parsed.lines.get(id)).toBe(reference.get(id));
}

beforeAll(async () => {
  redis = await startRedis();
  writeGrid();
  const local = join(tmp.path, "local.jsonl");
  // One batch thread: for 41 points a second adds its start-up, not speed.
  const result = await run(["batch", grid, "--base", BASE, ...TASK, "-o", local, "--workers", "1"]);
  expect(result.code).toBe(1); // the grid's invalid point is recorded as an error: a local run then exits with 1
  const parsed = readResultsStrict(local);
  reference = parsed.lines;
  referenceHeader = parsed.header;
});
afterAll(async () => {
  await redis?.remove();
  tmp.remove();
});

describe("queue URLs", () => {
  it("parses redis:// and rediss:// URLs with credentials and a database", async () => {
    const a = parseQueueUrl("redis://127.0.0.1:6380/3");
    expect(a).toMatchObject({ host: "127.0.0.1", port: 6380, db: 3, tls: false, username: undefined });
    const b = parseQueueUrl("rediss://al%40ice:p%3Ass@localhost");
    expect(b).toMatchObject({ host: "localhost", port: 6379, db: 0, tls: true, username: "al@ice", password: "p:ss" });
    // The password never appears in messages.
    expect(b.display).toBe("rediss://al%40ice:***@localhost");
    expect(parseQueueUrl("redis://[::1]:7000").host).toBe("::1");
  });

  it("rejects other schemes, paths and query strings with a typed error naming the fix", async () => {
    for (const bad of ["http://127.0.0.1:6379", "redis://127.0.0.1/x", "redis://127.0.0.1/0?tls=1", "127.0.0.1:6379"]) {
      expect(() => parseQueueUrl(bad)).toThrow(QueueInputError);
    }
    expect(() => parseQueueUrl("redis://u:secret@127.0.0.1/abc")).toThrow(/redis:\/\/u:\*\*\*@127\.0\.0\.1\/abc/);
    expect(() => parseQueueUrl("redis://u:secret@127.0.0.1/abc")).not.toThrow(/secret/);
  });
});

describe("enqueue, work, status, collect", () => {
  it("enqueuing twice is idempotent: one job per point", async () => {
    const first = await enqueueDetached("t1");
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/41 points, 0 already done, 41 enqueued/);
    const again = await enqueueDetached("t1");
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/resumed an existing run/);
    expect(await queueStatus("t1")).toMatchObject({ total: 41, done: 0, waiting: 41, active: 0, complete: false });
    // The job ids are the settings hash and the point id.
    const client = new Redis(redis.url);
    const meta = await readMeta(client, runKeys("t1"));
    const queue = new Queue(QUEUE_NAME, { connection: client, prefix: runKeys("t1").prefix });
    const job = await queue.getJob(jobId(meta?.settings as string, "bad"));
    expect(job?.data).toMatchObject({ id: "bad", line: 6, point: { id: "bad" } });
    await queue.close();
    client.disconnect();
  });

  it("a worker computes every point once; collect writes the local batch results line for line", async () => {
    const worker = await run([
      "worker",
      "--queue",
      redis.url,
      "--run",
      "t1",
      "--concurrency",
      "2",
      "--exit-when-done",
      "--json",
    ]);
    expect(worker.code).toBe(0);
    expect(JSON.parse(worker.stdout)).toEqual({ recorded: 41, duplicates: 0, refused: 0, rejected: 0, reason: "done" });
    const s = await queueStatus("t1");
    // The invalid point is a computational failure: recorded with its error, once, not retried.
    expect(s).toMatchObject({
      total: 41,
      done: 41,
      ok: 40,
      failed: 1,
      waiting: 0,
      active: 0,
      delayed: 0,
      failedJobs: 0,
    });
    expect(s).toMatchObject({ complete: true, eta: 0 });
    expect(s.rate).toBeGreaterThan(0);
    const out = join(tmp.path, "collected.jsonl");
    const collect = await run(["collect", "--queue", redis.url, "--run", "t1", "-o", out]);
    expect(collect.code).toBe(0);
    expect(collect.stdout).toMatch(/41\/41 points \(40 ok, 1 failed\)/);
    expectReferenceLines(out);
    const bad = JSON.parse(reference.get("bad") as string) as { status: string; error: { type: string } };
    expect(bad).toMatchObject({ status: "error", error: { type: "InvalidInput" } });
  });

  it("the collected file works with merge and plot grid unchanged", async () => {
    const out = join(tmp.path, "collected.jsonl");
    const merged = join(tmp.path, "merged.jsonl");
    const merge = await run(["merge", out, "-o", merged, "--grid", grid]);
    expect(merge.stderr).toBe("");
    expect(merge.code).toBe(0);
    expectReferenceLines(merged);
    const svg = join(tmp.path, "limits.svg");
    const plot = await run(["plot", "grid", out, "-o", svg]);
    expect(plot.code).toBe(0);
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg/);
  });

  it("enqueuing a finished run again adds nothing", async () => {
    const again = await enqueueDetached("t1");
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/41 points, 41 already done, 0 enqueued/);
    expect(await queueStatus("t1")).toMatchObject({ done: 41, waiting: 0 });
  });

  it("batch --queue follows the progress and writes the results file once the workers are done", async () => {
    const worker = startCli(["worker", "--queue", redis.url, "--run", "t2", "--concurrency", "1", "--exit-when-done"]);
    const exited = new Promise<number | null>((resolve) => worker.on("exit", (code) => resolve(code)));
    const out = join(tmp.path, "followed.jsonl");
    const batch = await run(["batch", grid, "--base", BASE, ...TASK, "--queue", redis.url, "--run", "t2", "-o", out]);
    // As a local run: the failed point makes the run a failure (exit code 1), its error is in the file.
    expect(batch.code).toBe(1);
    expect(batch.stderr).toMatch(/1 point failed; their errors are recorded in/);
    expect(batch.stdout).toMatch(/41 points via run "t2".*40 ok, 1 failed/);
    expectReferenceLines(out);
    expect(await exited).toBe(0);
  });

  it("refuses a run name that holds other settings, and local-only options", async () => {
    const other = await run([
      "batch",
      grid,
      "--base",
      BASE,
      "--compute",
      "cls",
      "--queue",
      redis.url,
      "--run",
      "t1",
      "--detach",
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/run "t1" already exists with other settings: the options differ.*another --run name/);
    const shard = await run(["batch", grid, "--base", BASE, "--shard", "1/2", "--queue", redis.url]);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toMatch(/--shard is an option of a local run, not of --queue/);
    const noRun = await run(["status", "--queue", redis.url, "--run", "nothing-here"]);
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toMatch(/there is no run "nothing-here"/);
    const badName = await run(["status", "--queue", redis.url, "--run", "a:b"]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/--run "a:b" is not a valid run name/);
  });

  it("fails with exit code 1 and a redacted URL when Redis cannot be reached", async () => {
    const closed = redis.url.replace(/:\d+\//, ":1/").replace("redis://", "redis://u:topsecret@");
    const result = await run(["status", "--queue", closed]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach Redis at redis:\/\/u:\*\*\*@127\.0\.0\.1:1\/0/);
    expect(result.stderr).not.toMatch(/topsecret/);
  });
});

describe("what workers refuse", () => {
  it("a run enqueued by another spey version is refused unless --allow-version-mismatch", async () => {
    const enqueue = await enqueueDetached("v1");
    expect(enqueue.code).toBe(0);
    const client = new Redis(redis.url);
    const keys = runKeys("v1");
    const meta = JSON.parse((await client.get(keys.meta)) as string) as Record<string, unknown>;
    await client.set(keys.meta, JSON.stringify({ ...meta, spey: "0.0.1-other" }));
    const worker = await run(["worker", "--queue", redis.url, "--run", "v1", "--exit-when-done"]);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toMatch(/enqueued by spey 0\.0\.1-other.*--allow-version-mismatch/);
    expect(await queueStatus("v1")).toMatchObject({ done: 0, waiting: 41 });
    // Jobs carry the enqueuer's version too: one enqueued by "9.9.9" is put back, not computed.
    await client.set(keys.meta, JSON.stringify(meta));
    const queue = new Queue(QUEUE_NAME, { connection: client, prefix: keys.prefix });
    const id = jobId(meta.settings as string, ids[0] as string);
    const job = await queue.getJob(id);
    await job?.remove();
    await queue.add("point", { ...job?.data, v: "9.9.9" }, { jobId: id, removeOnComplete: true });
    const refusing = startCli(["worker", "--queue", redis.url, "--run", "v1", "--concurrency", "2"]);
    let stderr = "";
    refusing.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => refusing.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 600 && (Number((await queueStatus("v1")).done) < 40 || !/refusing jobs/.test(stderr)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stderr).toMatch(/refusing jobs: it was enqueued by spey 9\.9\.9/);
    expect(await queueStatus("v1")).toMatchObject({ done: 40, delayed: 1, failedJobs: 0 });
    refusing.kill("SIGTERM");
    // Stopped by SIGTERM after its points in flight: exit code 143, as spey batch.
    expect(await exited).toBe(143);
    // The refused job waits out its 10 s delay before a worker sees it again: promote it now.
    await (await queue.getJob(id))?.promote();
    const allowed = await run([
      "worker",
      "--queue",
      redis.url,
      "--run",
      "v1",
      "--allow-version-mismatch",
      "--exit-when-done",
      "--json",
    ]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ recorded: 1, refused: 0 });
    await queue.close();
    client.disconnect();
  });

  it("job payloads are validated as grid lines (never evaluated): invalid jobs are rejected, not computed", async () => {
    const client = new Redis(redis.url);
    const enqueue = await enqueueDetached("p1");
    expect(enqueue.code).toBe(0);
    const keys = runKeys("p1");
    const meta = await readMeta(client, keys);
    const queue = new Queue(QUEUE_NAME, { connection: client, prefix: keys.prefix });
    const s = meta?.settings as string;
    await queue.add("point", { v: "0.1.0", s, id: "x", line: 1, point: "process.exit(1)" }, { jobId: "evil1" });
    await queue.add("point", { v: "0.1.0", s, id: { $gt: 1 }, line: 1, point: { id: { $gt: 1 } } }, { jobId: "evil2" });
    await queue.add(
      "point",
      { v: "0.1.0", s: "other-settings", id: "g1000_n0", line: 1, point: { id: "g1000_n0" } },
      { jobId: "evil3" },
    );
    const worker = await run(["worker", "--queue", redis.url, "--run", "p1", "--exit-when-done", "--json"]);
    expect(worker.code).toBe(0);
    expect(JSON.parse(worker.stdout)).toMatchObject({ recorded: 41, rejected: 3 });
    const failed = await queue.getFailed();
    const reasons = failed.map((j) => j.failedReason).sort();
    expect(reasons).toEqual([
      "invalid job payload (job evil1): the grid line is invalid: a grid line must be a JSON object (one signal point)",
      'invalid job payload (job evil2): the grid line is invalid: "id" must be a string or a number; got {"$gt": 1}',
      "invalid job payload (job evil3): it was enqueued with other settings than the run's",
    ]);
    // Rejected jobs were tried once (UnrecoverableError: no retries) and are no points of the run.
    expect(failed.map((j) => j.attemptsMade)).toEqual([1, 1, 1]);
    expect(await queueStatus("p1")).toMatchObject({ done: 41, failedJobs: 3, rejectedJobs: 3 });
    const out = join(tmp.path, "p1.jsonl");
    expect((await run(["collect", "--queue", redis.url, "--run", "p1", "-o", out])).code).toBe(0);
    expectReferenceLines(out);
    await queue.close();
    client.disconnect();
  });
});

describe("transient failures", () => {
  it("a crashed thread is retried with backoff; a point that always crashes is recorded once as an error", async () => {
    const lines = [0, 1, 2].map((k) => JSON.parse(reference.get(ids[k] as string) as string) as { id: string });
    const gridLines = readFileSync(grid, "utf8").split("\n").filter(Boolean).slice(0, 3);
    const counters = [join(tmp.path, "c0"), join(tmp.path, "c1"), join(tmp.path, "c2")];
    const flaky = gridLines.map((l, k) => {
      const value = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify({ ...value, crashUntil: [0, 2, 99][k], counter: counters[k] });
    });
    const flakyGrid = join(tmp.path, "flaky.jsonl");
    writeFileSync(flakyGrid, `${flaky.join("\n")}\n`);
    const address = parseQueueUrl(redis.url);
    const enqueued = await enqueueRun({
      address,
      run: "flaky",
      gridPath: flakyGrid,
      basePath: join(ROOT, BASE),
      task: {
        compute: ["limit"],
        confidenceLevel: 0.95,
        expected: "aposteriori",
        poiTest: 1,
        calculator: "asymptotic",
      },
      backoffMs: 50,
    });
    expect(enqueued).toMatchObject({ total: 3, submitted: 3 });
    const summary = await runQueueWorker({
      address,
      run: "flaky",
      concurrency: 2,
      exitWhenDone: true,
      workerScript: new URL("./fixtures/flaky-worker.mjs", import.meta.url),
    });
    expect(summary).toMatchObject({ recorded: 3, duplicates: 0, reason: "done" });
    // Tries: 1 (no crash), 3 (two crashes, then the result), 5 (every try crashed: JOB_ATTEMPTS).
    expect(counters.map((c) => Number(readFileSync(c, "utf8")))).toEqual([1, 3, 5]);
    const out = join(tmp.path, "flaky-results.jsonl");
    expect((await run(["collect", "--queue", redis.url, "--run", "flaky", "-o", out])).code).toBe(0);
    const parsed = readResultsStrict(out);
    const got = parsed.records.map(
      (r) => r as { id: string; status: string; result?: unknown; error?: { type: string } },
    );
    expect(got.map((r) => r.id)).toEqual(lines.map((l) => l.id));
    // The retried point has the very result of the local run; the third is an error line.
    expect(got[0]?.result).toEqual((lines[0] as { result?: unknown }).result);
    expect(got[1]?.result).toEqual((lines[1] as { result?: unknown }).result);
    expect(got[2]).toMatchObject({ status: "error", error: { type: "WorkerError" } });
  });
});

describe("credentials and TLS", () => {
  it("redis://user:password@ URLs authenticate (ACL user), a wrong password is refused", async () => {
    const secured = await startRedis({
      args: ["--user", "default", "off", "--user", "alice", "on", ">s3cret", "~*", "&*", "+@all"],
      auth: "alice:s3cret",
    });
    try {
      const ok = await run(["batch", grid, "--base", BASE, ...TASK, "--queue", secured.url, "--detach"]);
      expect(ok.code).toBe(0);
      expect(ok.stderr).toMatch(/redis:\/\/alice:\*\*\*@127\.0\.0\.1/);
      expect(ok.stderr).not.toMatch(/s3cret/);
      expect(await queueStatus("default", secured.url)).toMatchObject({ total: 41, waiting: 41 });
      const wrong = await run(["status", "--queue", secured.url.replace("s3cret", "nope")]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(
        /cannot reach Redis at redis:\/\/alice:\*\*\*@.*(WRONGPASS|invalid username-password)/,
      );
    } finally {
      await secured.remove();
    }
  });

  it("rediss:// URLs use TLS, checked against --tls-ca", async () => {
    const dir = join(tmp.path, "tls");
    execFileSync("mkdir", ["-p", dir]);
    const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    // P-256 keys: generated in microseconds, where each RSA-2048 key took 0.1–0.5 CPU-s (a prime
    // search); TLS and the CA check are the same.
    openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=spey test CA",
    ]);
    openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=127.0.0.1",
    ]);
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
    openssl([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    ]);
    const ca = join(dir, "ca.pem");
    const secured = await startRedis({ tls: { cert: join(dir, "server.pem"), key: join(dir, "server.key"), ca } });
    try {
      expect(secured.url).toMatch(/^rediss:\/\//);
      const ok = await run([
        "batch",
        grid,
        "--base",
        BASE,
        ...TASK,
        "--queue",
        secured.url,
        "--tls-ca",
        ca,
        "--detach",
      ]);
      expect(ok.stderr).toMatch(/41 enqueued/);
      expect(ok.code).toBe(0);
      const s = await run(["status", "--queue", secured.url, "--tls-ca", ca, "--json"]);
      expect(JSON.parse(s.stdout)).toMatchObject({ total: 41, waiting: 41 });
      // Without the CA the self-signed chain is not trusted.
      const untrusted = await run(["status", "--queue", secured.url]);
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(/cannot reach Redis at rediss:/);
      expect(existsSync(join(secured.dir, "appendonlydir"))).toBe(true);
    } finally {
      await secured.remove();
    }
  });
});
