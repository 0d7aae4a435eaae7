/**
 * Regression tests for what the queue commands' fuzz targets found (npm run fuzz, issue #13),
 * against a real redis-server on 127.0.0.1:
 * - `spey worker --exit-when-done` on a run that is never enqueued waited forever: --wait-seconds
 *   bounds the wait (exit 2 with a message naming the run and the fix);
 * - `spey collect -o` with an empty name, a directory or a missing directory threw raw
 *   ENOENT/EISDIR errors: now typed errors (exit 2) that say what is wrong with the path;
 * - `spey batch - --queue` did not read the grid from standard input ("cannot read the grid -").
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, run, temporaryDirectory } from "../cli/helpers.js";
import { type RedisServer, startRedis } from "./redis-server.js";

const tmp = temporaryDirectory("queue-fuzz-findings");
const BASE = "examples/grid/background.json";
let redis: RedisServer;
let gridText: string;

beforeAll(async () => {
  redis = await startRedis();
  gridText = `${readFileSync(join(ROOT, "examples/grid/grid.jsonl"), "utf8").split("\n").slice(0, 2).join("\n")}\n`;
});
afterAll(async () => {
  await redis?.remove();
  tmp.remove();
});

describe("queue commands: fuzz findings", () => {
  it("worker --wait-seconds stops waiting for a run that is never enqueued (typed error, exit 2)", async () => {
    const started = Date.now();
    const result = await run([
      "worker",
      "--queue",
      redis.url,
      "--run",
      "never-enqueued",
      "--exit-when-done",
      "--wait-seconds",
      "1",
      "-q",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^spey: run "never-enqueued" was not enqueued on .* within 1 s \(--wait-seconds\)/m);
    // it waited about the second it was given, not forever (the bound is what is checked; 60 s is
    // far above any scheduling delay)
    expect(Date.now() - started).toBeLessThan(60_000);
    const bad = await run(["worker", "--queue", redis.url, "--wait-seconds", "-1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--wait-seconds/);
  });

  it("batch - --queue reads the grid from standard input; collect -o bad paths are typed errors", async () => {
    const enqueued = await run(
      ["batch", "-", "--base", BASE, "--compute", "limit", "--queue", redis.url, "--run", "stdin", "--detach"],
      { input: gridText },
    );
    expect(enqueued.stderr).toMatch(/run "stdin" on .*: 2 points, 0 already done, 2 enqueued/);
    expect(enqueued.code).toBe(0);
    const worker = await run([
      "worker",
      "--queue",
      redis.url,
      "--run",
      "stdin",
      "--exit-when-done",
      "--concurrency",
      "1",
    ]);
    expect(worker.code).toBe(0);
    const out = join(tmp.path, "collected.jsonl");
    const collected = await run(["collect", "--queue", redis.url, "--run", "stdin", "-o", out]);
    expect(collected.code).toBe(0);
    // header + the two points of the grid given on standard input
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(["ok", "ok"]);

    writeFileSync(join(tmp.path, "plain-file"), "x");
    for (const [output, message] of [
      ["", /^spey: -o\/--output needs a file name/],
      [tmp.path, /^spey: cannot write .*: it is a directory, not a file\./],
      [join(tmp.path, "no", "such", "dir", "r.jsonl"), /^spey: cannot write .*: no such file or directory\./],
      [join(tmp.path, "plain-file", "r.jsonl"), /^spey: cannot write .*: a part of the path is not a directory\./],
    ] as const) {
      const result = await run(["collect", "--queue", redis.url, "--run", "stdin", "-o", output]);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    }
  });
});
