import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { Random } from "spey";
import { modelFromDescription } from "spey/io";
import { largeWorkspace } from "../../../../bench/large-workspace.js";
import { type Settled, TaskError, WorkerPool, type WorkerLike } from "spey/worker";
import { clsJson, limitJson, type ModelSource, type ResultsJson } from "spey/worker/tasks";

const cms = JSON.parse(readFileSync(new URL("../../../../examples/cms-8bin.json", import.meta.url), "utf8"));

/** A real worker_threads worker behind the Web Worker interface the pool uses. */
function nodeWorker(): WorkerLike {
  const worker = new Worker(new URL("./node-worker.mjs", import.meta.url));
  return {
    postMessage: (message) => worker.postMessage(message),
    terminate: () => worker.terminate(),
    addEventListener: ((type: "message" | "error", listener: (event: never) => void) => {
      if (type === "message") worker.on("message", (data) => listener({ data } as never));
      else worker.on("error", (error) => listener({ message: error.message } as never));
    }) as WorkerLike["addEventListener"],
  };
}

let pool: WorkerPool | undefined;
afterEach(() => pool?.terminate());

const source = (scale: number): ModelSource => ({
  kind: "model",
  name: "cms-8bin.json",
  description: cms,
  scales: { signal: scale },
});

describe("WorkerPool with worker_threads workers serving speyTasks", () => {
  it("run(): the results of a worker equal the same computation in this thread", async () => {
    pool = new WorkerPool({ createWorker: nodeWorker, size: 1 });
    const out = await pool.run<ResultsJson>("results", source(1));
    const model = modelFromDescription(cms, { analysis: "cms-8bin.json" });
    // Same code, same inputs, same floating-point operations: bit-identical.
    expect(out.cls).toEqual(clsJson(model, "cms-8bin.json"));
    expect(out.limit).toEqual(limitJson(model, "cms-8bin.json"));
  });

  it("map(): every input in order on two workers, progress for each, failures kept per input", async () => {
    pool = new WorkerPool({ createWorker: nodeWorker, size: 2 });
    const inputs: unknown[] = [
      source(0.5),
      source(1),
      { kind: "model", name: "bad", description: { backend: "nope" } },
      source(2),
    ];
    const seen: number[] = [];
    const out = (await pool.map<ResultsJson>("results", inputs, {
      onProgress: (p) => {
        expect(p.total).toBe(4);
        seen.push(p.index);
      },
    })) as Settled<ResultsJson>[];
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
    expect(out.map((o) => o.status)).toEqual(["ok", "ok", "error", "ok"]);
    const error = (out[2] as { error: TaskError }).error;
    expect(error).toBeInstanceOf(TaskError);
    expect(error.errorName).toBe("PluginError");
    // A larger signal gives a smaller limit: μ_UL scales as 1/s (to the root finder's rtol 1e-6).
    const limits = out
      .filter((o) => o.status === "ok")
      .map((o) => (o as { value: ResultsJson }).value.limit.upperLimit.observed);
    expect(limits[0] as number).toBeCloseTo((limits[1] as number) * 2, 4);
    expect(limits[2] as number).toBeCloseTo((limits[1] as number) / 2, 4);
    expect(pool.stats.started).toBe(2);
  });

  it("an AbortSignal stops a busy loop that never checks: the worker is terminated and replaced", async () => {
    pool = new WorkerPool({ createWorker: nodeWorker, size: 1, cancelGraceMs: 50 });
    const controller = new AbortController();
    const running = pool.run("spin", { milliseconds: 60_000, cooperative: false }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    await new Promise((r) => setTimeout(r, 200));
    expect(pool.stats.terminated).toBe(1);
    expect(pool.alive).toBe(0);
    // The pool goes on with a fresh worker.
    const out = await pool.run<ResultsJson>("results", source(1));
    expect(out.cls.backend).toBe("default.correlated_background");
    expect(pool.stats.started).toBe(2);
  });

  it("a loop that checks its context.signal stops by itself: the worker is kept", async () => {
    pool = new WorkerPool({ createWorker: nodeWorker, size: 1, cancelGraceMs: 10_000 });
    const controller = new AbortController();
    const running = pool.run("spin", { milliseconds: 60_000, cooperative: true }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    // The shared-memory flag is seen inside the loop; the worker reports "cancelled" and stays.
    await expect.poll(() => pool?.stats.stoppedCooperatively, { timeout: 5_000 }).toBe(1);
    expect(pool.stats.terminated).toBe(0);
    expect(pool.alive).toBe(1);
    await pool.run("results", source(1));
    expect(pool.stats.started).toBe(1);
  });

  it("a running results task stops cooperatively at its next check (between its steps and the limit search's CLs evaluations)", async () => {
    pool = new WorkerPool({ createWorker: nodeWorker, size: 1, cancelGraceMs: 30_000 });
    // The 246-parameter benchmark workspace: its CLs + limit take ~3 s on an idle machine (the 96-parameter
    // one, 0.5 s, could finish before the abort at 800 ms and fail this test on a fast machine).
    const workspace = largeWorkspace(20, 8, 40, new Random(3));
    const controller = new AbortController();
    const running = pool.run("results", { kind: "workspace", name: "large", workspace }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 800));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    // Stopped by itself (the 30 s grace never ran out), so the worker is kept.
    await expect.poll(() => pool?.stats.stoppedCooperatively, { timeout: 30_000 }).toBe(1);
    expect(pool.stats.terminated).toBe(0);
    expect(pool.alive).toBe(1);
  });

  it("poiUpperLimit honours an aborted signal (throws its reason) with the asymptotic calculator", () => {
    const model = modelFromDescription(cms);
    const controller = new AbortController();
    controller.abort(new Error("stop here"));
    expect(() => model.poiUpperLimit({ signal: controller.signal })).toThrow("stop here");
  });

  it("cancelling a map drops the queued inputs and stops the running ones", async () => {
    pool = new WorkerPool({ createWorker: nodeWorker, size: 2, cancelGraceMs: 50 });
    const controller = new AbortController();
    const inputs = Array.from({ length: 10 }, () => ({ milliseconds: 60_000, cooperative: false }));
    const running = pool.map("spin", inputs, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.busy).toBe(2);
    expect(pool.queued).toBe(8);
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    expect(pool.queued).toBe(0);
    await expect.poll(() => pool?.stats.terminated, { timeout: 5_000 }).toBe(2);
    expect(pool.busy).toBe(0);
  });

  it("bad options are InvalidInput", () => {
    expect(() => new WorkerPool({ createWorker: nodeWorker, size: 0 })).toThrow(/size must be an integer ≥ 1/);
    expect(() => new WorkerPool({ createWorker: nodeWorker, cancelGraceMs: -1 })).toThrow(/cancelGraceMs/);
  });
});
